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
import { arenaBytesPerInput, prepareRun } from '../../src/train/setup.ts';
import type { Dataset } from '../../src/data/types.ts';
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

function config(
  source: 'idx' | 'csv',
  normalize: number,
  workers: number,
  kernels: 'wasm' | 'reference',
  storage: 'bytes' | 'float32' | 'auto' = 'bytes',
) {
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
    parallel: { workers, chunks: 3, kernels, inputStorage: source === 'idx' ? storage : 'auto' },
    output: { dir: join(dir, `run-${source}-${normalize}-${workers}-${kernels}-${storage}`) },
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

s('parallel.inputStorage: "float32", and "auto" for data this small, decode the bytes once into float32', async () => {
  for (const storage of ['float32', 'auto'] as const) {
    const run = await prepareRun(parseConfig(config('idx', 255, 1, 'wasm', storage)));
    assert.ok(isByteInputs(run.dataset.train.inputs), 'the loader keeps bytes');
    assert.is(run.setup.layout.bytesPerInput, 4, storage);
  }
});

s('"auto" keeps bytes when their float32 form exceeds 64 MiB; "bytes" for float data is refused by name', () => {
  const images = (count: number) => {
    const inputs = { bytes: new Uint8Array(0), values: new Float32Array(256) };
    return { features: 784, train: { count, inputs } } as unknown as Dataset;
  };
  // 784 features × 4 bytes = 3,136 bytes a row: 21,399 rows fit in 64 MiB (67,108,864 bytes), 21,400 do not.
  assert.is(arenaBytesPerInput('auto', images(21_000), 399), 4);
  assert.is(arenaBytesPerInput('auto', images(21_000), 400), 1);
  assert.is(arenaBytesPerInput('float32', images(70_000), 0), 4);
  assert.is(arenaBytesPerInput('bytes', images(10), 0), 1);
  const floats = { features: 4, train: { count: 10, inputs: new Float32Array(40) } } as unknown as Dataset;
  assert.is(arenaBytesPerInput('auto', floats, 0), 4);
  assert.throws(
    () => arenaBytesPerInput('bytes', floats, 0),
    /parallel\.inputStorage "bytes" needs image data.*→ at parallel\.inputStorage/s,
  );
});

for (const storage of ['float32', 'auto'] as const) {
  s(
    `inputStorage ${storage}: the same weights and metrics as bytes and as CSV floats, at 1 and 2 workers`,
    async () => {
      const expected = await train(config('idx', 255, 2, 'wasm', 'bytes'), { write: false });
      for (const workers of [1, 2]) {
        const decoded = await train(config('idx', 255, workers, 'wasm', storage), { write: false });
        assert.ok(bytesOf(decoded.weights).equals(bytesOf(expected.weights)), `${workers} workers`);
        assert.equal(
          decoded.metrics.map((m) => [m.loss, m.testLoss]),
          expected.metrics.map((m) => [m.loss, m.testLoss]),
        );
      }
    },
  );
}

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
