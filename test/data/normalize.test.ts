import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import { applyPreprocessing, type Normalize } from '../../src/data/preprocess.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { createRng } from '../../src/random.ts';
import { train } from '../../src/train/train.ts';
import { idxImages, idxLabels, tempDir, writeTemp } from './helpers.ts';

const s = suite('data.normalize: per-feature preprocessing from the training split');
const dir = tempDir();
const csv = (input: object) =>
  loadDataset(dataConfigSchema.parse({ source: 'csv', labelColumn: 'label', ...input }), 1);
const f32 = (values: number[]): number[] => values.map(Math.fround);

// Feature a: 1, 2, 3, 6 (mean 3, squared deviations 4 + 1 + 0 + 9 = 14, std √3.5); b is constant.
const path = writeTemp(dir, 'train.csv', 'a,b,label\n1,10,0\n2,10,1\n3,10,0\n6,10,1\n');
const testPath = writeTemp(dir, 'test.csv', 'a,b,label\n11,20,0\n-4,0,1\n');
const extremeTest = writeTemp(dir, 'extreme.csv', 'a,b,label\n-1e6,1e6,0\n');

s('minmax: (x − min) / (max − min) per feature; a constant feature gives x − min', async () => {
  const data = await csv({ path, testPath, normalize: 'minmax' });
  assert.equal(data.preprocessing, { kind: 'minmax', min: [1, 10], max: [6, 10] });
  assert.equal(Array.from(floatInputs(data.train.inputs)), f32([0, 0, 0.2, 0, 0.4, 0, 1, 0]));
  // Test rows are scaled with the training range, not clipped: (11 − 1) / 5 = 2, 20 − 10 = 10.
  assert.equal(Array.from(floatInputs(data.test?.inputs ?? new Float32Array(0))), [2, 10, -1, -10]);
});

s('standardize: (x − mean) / std per feature, population std; std 0 gives x − mean', async () => {
  const data = await csv({ path, testPath, normalize: 'standardize' });
  assert.equal(data.preprocessing, { kind: 'standardize', mean: [3, 10], std: [Math.sqrt(3.5), 0] });
  const z = (a: number) => (a - 3) / Math.sqrt(3.5);
  assert.equal(Array.from(floatInputs(data.train.inputs)), f32([z(1), 0, z(2), 0, z(3), 0, z(6), 0]));
  assert.equal(Array.from(floatInputs(data.test?.inputs ?? new Float32Array(0))), f32([z(11), 10, z(-4), -10]));
});

s('a divisor divides every input; none keeps them', async () => {
  const divided = await csv({ path, normalize: 4 });
  assert.equal(divided.preprocessing, { kind: 'divide', divisor: 4 });
  assert.equal(Array.from(floatInputs(divided.train.inputs)), f32([0.25, 2.5, 0.5, 2.5, 0.75, 2.5, 1.5, 2.5]));
  const none = await csv({ path, normalize: 'none' });
  assert.equal(none.preprocessing, { kind: 'none' });
  assert.equal(Array.from(floatInputs(none.train.inputs)), [1, 10, 2, 10, 3, 10, 6, 10]);
});

s('the test split never enters the statistics', async () => {
  for (const normalize of ['minmax', 'standardize']) {
    const a = await csv({ path, testPath, normalize });
    const b = await csv({ path, testPath: extremeTest, normalize });
    assert.equal(b.preprocessing, a.preprocessing);
    assert.equal(floatInputs(b.train.inputs), floatInputs(a.train.inputs));
  }
});

s('with testFraction, the statistics are those of the training rows of the seeded split', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${(i * 37) % 101},${i % 2}`);
  const file = writeTemp(dir, 'fraction.csv', ['x,label', ...rows].join('\n'));
  const raw = await csv({ path: file, testFraction: 0.25, normalize: 'none' });
  const scaled = await csv({ path: file, testFraction: 0.25, normalize: 'minmax' });
  const trainValues = Array.from(floatInputs(raw.train.inputs));
  const testValues = Array.from(floatInputs(raw.test?.inputs ?? new Float32Array(0)));
  assert.equal(scaled.preprocessing, {
    kind: 'minmax',
    min: [Math.min(...trainValues)],
    max: [Math.max(...trainValues)],
  });
  // The split puts the file's extremes where the check means something: 0 and 100 are both rows.
  assert.ok(Math.min(...testValues) < Math.min(...trainValues) || Math.max(...testValues) > Math.max(...trainValues));
});

s('applyPreprocessing with the JSON of dataset.preprocessing gives the same float32 bits', async () => {
  for (const normalize of ['minmax', 'standardize', 3, 'none']) {
    const data = await csv({ path, testPath, normalize });
    const spec = JSON.parse(JSON.stringify(data.preprocessing));
    const again = applyPreprocessing(spec, [11, 20, -4, 0]); // test.csv's features, as parsed
    assert.equal(Buffer.from(again.buffer), Buffer.from(floatInputs(data.test!.inputs).buffer));
  }
});

s('idx: per-pixel statistics over the training images', async () => {
  const images = writeTemp(dir, 'images.idx', idxImages(3, 1, 2, [0, 100, 50, 100, 100, 100]));
  const labels = writeTemp(dir, 'labels.idx', idxLabels([0, 1, 0]));
  const data = await loadDataset(dataConfigSchema.parse({ source: 'idx', images, labels, normalize: 'minmax' }), 1);
  assert.equal(data.preprocessing, { kind: 'minmax', min: [0, 100], max: [100, 100] });
  assert.equal(Array.from(floatInputs(data.train.inputs)), [0, 0, 0.5, 0, 1, 0]);
});

/** Columns: a small signal (0.1 × label), noise up to 4000, noise up to 50; classes 50/25/25 %. */
function wideCsv(name: string): string {
  const rng = createRng(7);
  const lines = ['signal,noise,mid,label'];
  for (let i = 0; i < 400; i++) {
    const label = i % 4 < 2 ? 0 : i % 4 === 2 ? 1 : 2;
    const signal = 0.1 * (label + 0.25 * rng.normal());
    lines.push(`${signal.toFixed(4)},${(4000 * rng.next()).toFixed(1)},${(50 * rng.next()).toFixed(2)},${label}`);
  }
  return writeTemp(dir, name, lines.join('\n') + '\n');
}
const wide = wideCsv('wide.csv');

s('warns when features span very different ranges without per-feature normalization', async () => {
  const [warning, ...rest] = (await csv({ path: wide })).warnings;
  assert.equal(rest, []);
  assert.match(warning, 'csv:wide.csv: features span very different ranges (divided by data.normalize 1)');
  assert.match(warning, 'column 2 (noise) spans');
  assert.match(warning, 'set data.normalize to "standardize" (or "minmax")');
  assert.equal((await csv({ path: wide, normalize: 'standardize' })).warnings, []);
  assert.equal((await csv({ path, normalize: 'none' })).warnings, []); // 1 to 10: nothing to say
});

s('warns about inputs far from 1, suggesting a divisor', async () => {
  const pixels = writeTemp(dir, 'pixels.csv', 'p,q,label\n0,255,0\n255,12,1\n');
  const [warning] = (await csv({ path: pixels, normalize: 'none' })).warnings;
  assert.match(warning, 'inputs are far from 1 (with data.normalize "none"): column 1 (p) spans 0 to 255');
  assert.match(warning, 'or a divisor such as 255');
  assert.equal((await csv({ path: pixels, normalize: 255 })).warnings, []);
  // Already divided by too small a number: the divisor suggested is for the values in the file.
  assert.match((await csv({ path: pixels, normalize: 0.5 })).warnings[0], 'or a divisor such as 255');
});

s('standardize trains a wide-range CSV far above the majority class; one divisor does not', async () => {
  const accuracy = async (normalize: Normalize) => {
    const config = {
      seed: 1,
      data: { source: 'csv' as const, path: wide, labelColumn: 'label', testFraction: 0.25, normalize },
      model: {
        layers: [
          { type: 'affine' as const, units: 16 },
          { type: 'relu' as const },
          { type: 'affine' as const, units: 3 },
        ],
      },
      train: { epochs: 20, batchSize: 20, optimizer: { type: 'sgd' as const, learningRate: 0.1 } },
      parallel: { chunks: 1 },
    };
    const result = await train(config, { write: false, workers: 1 });
    return result.metrics[result.metrics.length - 1].testAccuracy ?? NaN;
  };
  const test = (await csv({ path: wide, testFraction: 0.25 })).test?.targets ?? [];
  const majority = Math.max(...[0, 1, 2].map((c) => Array.from(test).filter((t) => t === c).length)) / test.length;
  const standardized = await accuracy('standardize');
  const divided = await accuracy(4000); // the largest value: every input in [0, 1]
  assert.ok(standardized >= 0.9, `standardize: ${standardized}`);
  assert.ok(divided <= majority + 0.05, `÷4000: ${divided}, majority ${majority}`);
});

s.run();
