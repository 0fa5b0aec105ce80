/**
 * The entry point that picks the loader for a data config. The shapes every loader produces live
 * in types.ts, so that loaders and this dispatcher never import each other in a circle.
 */
import { loadCsv } from './csv.ts';
import { loadIdx } from './idx.ts';
import { loadMnist } from './mnist.ts';
import type { DataConfig } from './schema.ts';
import { loadSynthetic } from './synthetic.ts';
import type { Dataset } from './types.ts';
import { checkDataset } from './validate.ts';

export interface LoadOptions {
  /** Where the MNIST binary cache lives (default: `data/.cache` at the repository root). */
  cacheDir?: string;
}

/**
 * Loads, validates and splits the data the config describes. Deterministic in (config, seed):
 * the seed drives MNIST's and the fractional splits (STREAM.split) and synthetic points
 * (STREAM.synthetic). Malformed data throws a UserError naming the file and the row.
 */
export function loadDataset(config: DataConfig, seed: number, options: LoadOptions = {}): Dataset {
  const dataset = load(config, seed, options);
  checkDataset(dataset);
  return dataset;
}

function load(config: DataConfig, seed: number, options: LoadOptions): Dataset {
  switch (config.source) {
    case 'mnist':
      return loadMnist(config, seed, options.cacheDir);
    case 'idx':
      return loadIdx(config, seed);
    case 'csv':
      return loadCsv(config, seed);
    case 'synthetic':
      return loadSynthetic(config, seed);
  }
}
