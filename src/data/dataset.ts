/**
 * The one shape every data source is turned into, and the entry point that picks the loader.
 * Inputs are float32, row-major (count × features); targets hold each row's class index (stored
 * as a float so that the whole dataset is one element type in shared memory).
 */
import type { DataConfig } from './schema.ts';
import { loadCsv } from './csv.ts';
import { loadIdx } from './idx.ts';
import { loadMnist } from './mnist.ts';
import { loadSynthetic } from './synthetic.ts';
import { checkDataset } from './validate.ts';

export interface Split {
  /** count × features, row-major. */
  inputs: Float32Array;
  /** The class index of each row, in [0, classes). */
  targets: Float32Array;
  count: number;
}

export interface Dataset {
  name: string;
  features: number;
  classes: number;
  train: Split;
  /** null when the config asks for no test rows. */
  test: Split | null;
}

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
    case 'mnist': return loadMnist(config, seed, options.cacheDir);
    case 'idx': return loadIdx(config, seed);
    case 'csv': return loadCsv(config, seed);
    case 'synthetic': return loadSynthetic(config, seed);
  }
}
