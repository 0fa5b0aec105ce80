/**
 * Multi-threaded evaluation of large splits: the same numbers, bit for bit, as the single-threaded
 * loop, at any thread count; small splits stay on the calling thread.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadModel } from '../../src/index.ts';
import { createRng } from '../../src/random.ts';
import { evaluateFile } from '../../src/use/evaluate-file.ts';
import { evaluateInParallel, PARALLEL_MIN_ROWS, threadsFor } from '../../src/use/parallel-eval.ts';
import { handMadeRun, tempDir } from './helpers.ts';

const s = suite('parallel evaluation');
const root = tempDir();
const rng = createRng(5, 1);
const FEATURES = 20;
const ROWS = 12_345; // not a multiple of the block size: the last block is short

const random = (n: number, scale = 1) => Array.from({ length: n }, () => scale * rng.normal());
const inputs = Float32Array.from(random(ROWS * FEATURES));

function run(name: string, loss: 'softmax-cross-entropy' | 'mse', outputs: number) {
  const config: RunConfigInput = {
    seed: 1,
    data: { source: 'synthetic', kind: 'xor', n: 20 },
    model: { layers: [{ type: 'affine', units: 8 }, { type: 'tanh' }, { type: 'affine', units: outputs }], loss },
    train: {},
    parallel: { kernels: 'wasm' },
  };
  const regression = loss === 'mse';
  const data = regression
    ? { features: FEATURES, classes: 0, task: 'regression' as const, targetNames: ['a', 'b'] }
    : { features: FEATURES, classes: outputs };
  const weights = {
    'layers.0.weight': random(FEATURES * 8, 0.3),
    'layers.0.bias': random(8, 0.1),
    'layers.2.weight': random(8 * outputs, 0.5),
    'layers.2.bias': random(outputs, 0.1),
  };
  handMadeRun(join(root, name), config, data, weights);
  return loadModel(join(root, name));
}

s('threads: one below PARALLEL_MIN_ROWS, else up to the cores (2,500 rows each at least)', () => {
  assert.is(threadsFor(PARALLEL_MIN_ROWS - 1, 8), 1);
  assert.is(threadsFor(PARALLEL_MIN_ROWS, 8), 4);
  assert.is(threadsFor(100_000, 8), 8);
  assert.is(threadsFor(100_000, 1), 1);
});

s(
  'a classifier: loss, accuracy, confusion and per-class metrics equal the single thread’s at 2 and 3 threads',
  async () => {
    const model = run('classifier', 'softmax-cross-entropy', 5);
    const split = { inputs, targets: Float32Array.from({ length: ROWS }, () => rng.int(5)), count: ROWS };
    const single = model.evaluate(split, { blockRows: 100 });
    const parallel = await evaluateInParallel(model, split, { blockRows: 100, threads: 2 });
    assert.equal(parallel, single);
    assert.ok(Object.is(parallel.loss, single.loss));
    // evaluateAsync takes the parallel path for this many rows, with the same result.
    assert.equal(await model.evaluateAsync(split, { blockRows: 100, threads: 3 }), single);
  },
);

s('batch norm: the pool threads normalize with the saved running statistics, as the single thread', async () => {
  const config: RunConfigInput = {
    seed: 1,
    data: { source: 'synthetic', kind: 'xor', n: 20 },
    model: {
      layers: [{ type: 'affine', units: 8 }, { type: 'batch-norm' }, { type: 'tanh' }, { type: 'affine', units: 5 }],
    },
    train: {},
    parallel: { kernels: 'wasm' },
  };
  // Running statistics far from the starting ones (mean 0, variance 1): a thread that ignored them would differ.
  const weights = {
    'layers.0.weight': random(FEATURES * 8, 0.3),
    'layers.0.bias': random(8, 0.1),
    'layers.1.gamma': random(8, 0.5).map((v) => 1 + v),
    'layers.1.beta': random(8, 0.2),
    'layers.1.running_mean': random(8, 0.7),
    'layers.1.running_var': random(8, 0.5).map((v) => 0.2 + v * v),
    'layers.3.weight': random(8 * 5, 0.5),
    'layers.3.bias': random(5, 0.1),
  };
  handMadeRun(join(root, 'batch-norm'), config, { features: FEATURES, classes: 5 }, weights);
  const model = loadModel(join(root, 'batch-norm'));
  const split = { inputs, targets: Float32Array.from({ length: ROWS }, () => rng.int(5)), count: ROWS };
  const single = model.evaluate(split, { blockRows: 100 });
  assert.equal(await evaluateInParallel(model, split, { blockRows: 100, threads: 2 }), single);
  // The statistics matter: the same model on the starting statistics scores another loss.
  handMadeRun(
    join(root, 'batch-norm-fresh'),
    config,
    { features: FEATURES, classes: 5 },
    {
      ...weights,
      'layers.1.running_mean': Array.from({ length: 8 }, () => 0),
      'layers.1.running_var': Array.from({ length: 8 }, () => 1),
    },
  );
  const fresh = loadModel(join(root, 'batch-norm-fresh')).evaluate(split, { blockRows: 100 });
  assert.is.not(fresh.loss, single.loss);
});

s('a regressor: loss, mse, mae and R² equal the single thread’s', async () => {
  const model = run('regressor', 'mse', 2);
  const split = { inputs, targets: Float32Array.from(random(ROWS * 2)), count: ROWS };
  const single = model.evaluate(split, { blockRows: 64 });
  const parallel = await evaluateInParallel(model, split, { blockRows: 64, threads: 2 });
  assert.equal(parallel, single);
  assert.ok(Object.is((parallel as { r2: number }).r2, (single as { r2: number }).r2));
});

s('a large CSV file: evaluated in batches on 2 threads, the same as on one', async () => {
  const model = run('file-classifier', 'softmax-cross-entropy', 5);
  const lines = ['label,' + Array.from({ length: FEATURES }, (_, j) => `f${j}`).join(',')];
  for (let i = 0; i < ROWS; i++) {
    lines.push([rng.int(5), ...Array.from(inputs.subarray(i * FEATURES, (i + 1) * FEATURES))].join(','));
  }
  const path = join(root, 'large.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const one = await evaluateFile(model, path, { threads: 1 });
  const two = await evaluateFile(model, path, { threads: 2 });
  assert.is(one.evaluation.count, ROWS);
  assert.equal(two, one);
});

s.run();
