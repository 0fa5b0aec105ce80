/**
 * The entry point that picks the loader for a data config. The shapes every loader produces live
 * in types.ts, so that loaders and this dispatcher never import each other in a circle.
 */
import { DEFAULT_MAX_DATA_BYTES } from './budget.ts';
import { loadCsv } from './csv-source.ts';
import { loadIdx } from './idx.ts';
import { loadMnist } from './mnist.ts';
import type { DataConfig } from './schema.ts';
import { withDeclaredShape } from './shape.ts';
import { loadSynthetic } from './synthetic.ts';
import type { Dataset } from './types.ts';
import { checkDataset } from './validate.ts';

export interface LoadOptions {
  /** Where the MNIST binary cache lives (default: `data/.cache` at the repository root). */
  cacheDir?: string;
  /**
   * The most bytes the data may take in the shared arena (budget.ts dataArenaBytes; default
   * 4 GiB). Checked from the headers before rows are read: more is an error naming the data.
   */
  maxBytes?: number;
}

/**
 * Loads, validates and splits the data the config describes. Deterministic in (config, seed):
 * the seed drives MNIST's and the fractional splits (STREAM.split) and synthetic points
 * (STREAM.synthetic). Malformed data throws a UserError naming the file and the row.
 */
export async function loadDataset(config: DataConfig, seed: number, options: LoadOptions = {}): Promise<Dataset> {
  const dataset = await load(config, seed, options.maxBytes ?? DEFAULT_MAX_DATA_BYTES, options.cacheDir);
  checkDataset(dataset);
  return withDeclaredShape(dataset, config.shape);
}

async function load(config: DataConfig, seed: number, maxBytes: number, cacheDir?: string): Promise<Dataset> {
  switch (config.source) {
    case 'mnist':
      return loadMnist(config, seed, maxBytes, cacheDir);
    case 'idx':
      return loadIdx(config, seed, maxBytes);
    case 'csv':
      return loadCsv(config, seed, maxBytes);
    case 'synthetic':
      return loadSynthetic(config, seed, maxBytes);
  }
}
