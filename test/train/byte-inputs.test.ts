/**
 * Image data stored as bytes trains exactly like the float path: the same pixels given as IDX
 * files (kept as bytes, decoded as chunks gather their rows) and as CSV files (float32 from the
 * start, an independent loader) give byte-identical weights, at 1 and 2 workers, with both
 * kernel sets, for the default ÷255 and for a divisor that is not a float32 (3.3); and a model
 * evaluates the two the same.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { parseConfig } from '../../src/config/load.ts';
import { loadDataset } from '../../src/data/load.ts';
import { isByteInputs } from '../../src/data/inputs.ts';
import { loadModel } from '../../src/use/load.ts';
import { prepareRun } from '../../src/train/setup.ts';
import { train } from '../../src/train/train.ts';
import { createRng } from '../../src/random.ts';
import { idxImages, idxLabels } from '../data/helpers.ts';
import { tempDir } from '../support/temp.ts';

const s = suite('image inputs as bytes');
const dir = tempDir();
const SIDE = 6;
const FEATURES = SIDE * SIDE;

/** Random pixels and labels 0–3, written both as IDX files and as a CSV (label first, no header). */
function writeSplit(name: string, count: number, seed: number) {
  const rng = createRng(seed);
  const pixels = Array.from({ length: count * FEATURES }, () => rng.int(256));
  const labels = Array.from({ length: count }, () => rng.int(4));
  const images = join(dir, `${name}-images.idx`);
  const labelsPath = join(dir, `${name}-labels.idx`);
  writeFileSync(images, idxImages(count, SIDE, SIDE, pixels));
  writeFileSync(labelsPath, idxLabels(labels));
  const csv = join(dir, `${name}.csv`);
  const rows = labels.map((label, i) => [label, ...pixels.slice(i * FEATURES, (i + 1) * FEATURES)].join(','));
  writeFileSync(csv, rows.join('\n') + '\n');
  return { images, labels: labelsPath, csv };
}

const trainFiles = writeSplit('train', 150, 1);
const testFiles = writeSplit('test', 40, 2);

function config(source: 'idx' | 'csv', normalize: number, workers: number, kernels: 'wasm' | 'reference') {
  const data =
    source === 'idx'
      ? {
          source,
          images: trainFiles.images,
          labels: trainFiles.labels,
          testImages: testFiles.images,
          testLabels: testFiles.labels,
          normalize,
          classes: 4,
        }
      : { source, path: trainFiles.csv, testPath: testFiles.csv, header: false, normalize, classes: 4 };
  return {
    name: `bytes-${source}`,
    seed: 3,
    data,
    model: { layers: [{ type: 'affine', units: 12 }, { type: 'relu' }, { type: 'affine', units: 4 }] },
    train: { epochs: 2, batchSize: 32, optimizer: { type: 'sgd', learningRate: 0.5 } },
    parallel: { workers, chunks: 3, kernels },
    output: { dir: join(dir, `run-${source}-${normalize}-${workers}-${kernels}`) },
  } satisfies RunConfigInput;
}

const bytesOf = (weights: Awaited<ReturnType<typeof train>>['weights']) =>
  Buffer.concat(Object.values(weights).map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));

s('IDX pixels are laid out as bytes in the arena, CSV values as float32', async () => {
  const idx = await prepareRun(parseConfig(config('idx', 255, 1, 'wasm')));
  const csv = await prepareRun(parseConfig(config('csv', 255, 1, 'wasm')));
  assert.ok(isByteInputs(idx.dataset.train.inputs));
  assert.is(idx.setup.layout.bytesPerInput, 1);
  assert.is(csv.setup.layout.bytesPerInput, 4);
  // 150 rows × 36 pixels: 5400 bytes in place of 21600.
  const size = (run: typeof idx) => run.setup.layout.trainTargets.offset - run.setup.layout.trainInputs.offset;
  assert.ok(size(idx) >= 5400 && size(idx) < 5400 + 64, `${size(idx)}`);
  assert.ok(size(csv) >= 21600 && size(csv) < 21600 + 64, `${size(csv)}`);
});

for (const kernels of ['wasm', 'reference'] as const) {
  for (const normalize of [255, 3.3]) {
    s(`${kernels} kernels, ÷${normalize}: bytes and floats give the same weights, at 1 and 2 workers`, async () => {
      const floats = await train(config('csv', normalize, 2, kernels), { write: false });
      const expected = bytesOf(floats.weights);
      for (const workers of [1, 2]) {
        const bytes = await train(config('idx', normalize, workers, kernels), { write: false });
        assert.ok(bytesOf(bytes.weights).equals(expected), `${workers} workers`);
        const losses = (run: typeof bytes) => run.metrics.map((m) => [m.loss, m.testLoss, m.testAccuracy]);
        assert.equal(losses(bytes), losses(floats));
      }
    });
  }
}

s('with data.validation (rows held out of the bytes): the same weights and validation metrics as floats', async () => {
  const withValidation = (source: 'idx' | 'csv') => {
    const base = config(source, 255, 2, 'wasm');
    return { ...base, data: { ...base.data, validation: 0.2 } };
  };
  const floats = await train(withValidation('csv'), { write: false });
  const bytes = await train(withValidation('idx'), { write: false });
  assert.ok(bytesOf(bytes.weights).equals(bytesOf(floats.weights)));
  const validation = (run: typeof bytes) => run.metrics.map((m) => [m.validationLoss, m.validationAccuracy]);
  assert.ok(
    validation(bytes).every(([loss]) => typeof loss === 'number'),
    'validation metrics are there',
  );
  assert.equal(validation(bytes), validation(floats));
});

s('a trained model evaluates the byte and the float test split alike', async () => {
  const run = config('idx', 255, 2, 'wasm');
  await train(run, { force: true });
  const model = loadModel(run.output.dir);
  const bytes = await loadDataset(parseConfig(run).data, 3);
  const floats = await loadDataset(parseConfig(config('csv', 255, 1, 'wasm')).data, 3);
  assert.ok(isByteInputs(bytes.test!.inputs));
  assert.ok(!isByteInputs(floats.test!.inputs));
  const [a, b] = [model.evaluate(bytes), model.evaluate(floats)];
  assert.equal(a, b);
  assert.is(a.count, 40);
});

s.run();
