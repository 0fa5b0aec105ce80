/**
 * Image data kept as bytes (src/data/types.ts ByteInputs): which sources and normalizations keep
 * bytes, and that the value of every one of the 256 byte values is the float32 the float path
 * computes: the pixel ÷ the divisor in float64, rounded once (hand-derived here with Math.fround).
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatInputs, isByteInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import { pixelCodes } from '../../src/data/mnist.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { idxImages, idxLabels, tempDir, writeTemp } from './helpers.ts';

const s = suite('image inputs as bytes');
const dir = tempDir();
// Four 8×8 images holding the 256 byte values once each, in a scrambled order.
const pixels = Array.from({ length: 256 }, (_, i) => (i * 77 + 5) % 256);
const images = writeTemp(dir, 'all-bytes.idx', idxImages(4, 8, 8, pixels));
const labels = writeTemp(dir, 'all-bytes-labels.idx', idxLabels([0, 1, 2, 1]));

const load = (normalize?: unknown) =>
  loadDataset(dataConfigSchema.parse({ source: 'idx', images, labels, normalize }), 1);

for (const [normalize, value] of [
  [undefined, (b: number) => Math.fround(b / 255)],
  [true, (b: number) => Math.fround(b / 255)],
  [3.3, (b: number) => Math.fround(b / 3.3)],
  [false, (b: number) => b],
  ['none', (b: number) => b],
] as const) {
  s(`idx, normalize ${String(normalize)}: bytes, and each of the 256 values decodes as the float path`, async () => {
    const data = await load(normalize);
    const inputs = data.train.inputs;
    assert.ok(isByteInputs(inputs));
    assert.equal(Array.from(inputs.bytes), pixels);
    for (let b = 0; b < 256; b++) assert.ok(Object.is(inputs.values[b], value(b)), `byte ${b}: ${inputs.values[b]}`);
    assert.equal(Array.from(floatInputs(inputs)), pixels.map(value));
  });
}

s('idx with minmax or standardize: per-feature statistics, so float32 as before', async () => {
  for (const normalize of ['minmax', 'standardize']) {
    const data = await load(normalize);
    assert.not.ok(isByteInputs(data.train.inputs), normalize);
    assert.instance(data.train.inputs, Float32Array);
  }
  // minmax of feature j over the 4 rows, by hand for pixel 0 (values 5, 13, 21, 29 → 0, 1/3, 2/3, 1).
  const minmax = floatInputs((await load('minmax')).train.inputs);
  assert.equal(
    [0, 1, 2, 3].map((row) => minmax[row * 64]),
    [0, 1 / 3, 2 / 3, 1].map(Math.fround),
  );
});

s('the bundled MNIST is bytes with its 256 pixel values; minmax makes it float32', async () => {
  const cacheDir = join(dir, 'cache');
  const data = await loadDataset(dataConfigSchema.parse({ source: 'mnist', train: 50, test: 10 }), 1, { cacheDir });
  assert.ok(isByteInputs(data.train.inputs));
  assert.ok(isByteInputs(data.test!.inputs));
  // The package writes k/255 to three decimals: code k stands for that number, as float32.
  const { values } = data.train.inputs;
  for (const k of [0, 1, 7, 128, 254, 255]) {
    assert.is(values[k], Math.fround(Number((k / 255).toFixed(3))), `code ${k}`);
  }
  const scaled = await loadDataset(
    dataConfigSchema.parse({ source: 'mnist', train: 50, test: 10, normalize: 'minmax' }),
    1,
    {
      cacheDir,
    },
  );
  assert.instance(scaled.train.inputs, Float32Array);
});

s('pixelCodes: codes and palette for 256 levels, null when two values would share a code', () => {
  const levels = Float32Array.from([0, 0.004, 1, 0.502, 0.004]);
  const coded = pixelCodes(levels);
  assert.ok(coded);
  assert.equal(Array.from(coded.codes), [0, 1, 255, 128, 1]);
  assert.equal(
    [coded.palette[0], coded.palette[1], coded.palette[128], coded.palette[255]],
    [0, levels[1], levels[3], 1],
  );
  assert.is(pixelCodes(Float32Array.from([0.5, 0.501])), null); // both round to code 128
  assert.is(pixelCodes(Float32Array.from([1.5])), null); // outside [0, 1]
});

s.run();
