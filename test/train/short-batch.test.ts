import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train, type TrainResult } from '../../src/index.ts';
import { modelSchema } from '../../src/config/model-schema.ts';
import { initParams } from '../../src/model/init.ts';
import { planModel } from '../../src/model/plan.ts';
import { createRng, permutation, STREAM } from '../../src/random.ts';
import { KERNELS, tempDir, withTimeout } from './helpers.ts';

/**
 * The trainer against a tiny float64 implementation written here: affine(3→4) · relu · affine(4→3)
 * · softmax-cross-entropy, plain SGD, the same data order (permutation of (seed, order stream,
 * epoch)) and the same initial weights (initParams). 10 rows at batch 4 make steps of 4, 4 and 2
 * rows: the last one must be averaged over its 2 rows, nothing dropped or padded.
 */
const s = suite('short last batch');

const SEED = 11;
const LR = 0.5;
// 10 rows: three features (exact in float32), label in the first column; no header, no test split.
const ROWS = [
  [0, 0.5, -1, 0.25],
  [1, -0.75, 0.5, 1],
  [2, 1, 1, -0.5],
  [0, 0.25, -0.5, 0.75],
  [1, -1, 0.25, 0.5],
  [2, 0.75, 0.75, -1],
  [0, 0.5, -0.25, 1],
  [1, -0.5, 1, 0.25],
  [2, 1.25, 0.5, -0.25],
  [0, -0.25, -1, 0.5],
];
const dir = tempDir();
const csv = join(dir, 'ten.csv');
writeFileSync(csv, ROWS.map((r) => r.join(',')).join('\n') + '\n');
const layers = [
  { type: 'affine' as const, units: 4 },
  { type: 'relu' as const },
  { type: 'affine' as const, units: 3 },
];

function config(
  batchSize: number,
  epochs: number,
  extra: { kernels?: 'wasm' | 'reference'; workers?: number; chunks?: number } = {},
): RunConfigInput {
  return {
    seed: SEED,
    data: { source: 'csv', path: csv, header: false, labelColumn: 0 },
    model: { layers },
    train: { epochs, batchSize, optimizer: { type: 'sgd', learningRate: LR } },
    parallel: { workers: extra.workers ?? 2, chunks: extra.chunks ?? 2, kernels: extra.kernels ?? 'reference' },
  };
}

interface Expected {
  W1: number[][];
  b1: number[];
  W2: number[][];
  b2: number[];
  losses: number[];
  accuracies: number[];
}

/**
 * Float64 SGD, written out. `divisor(size)` is what a step's gradient sum is divided by and
 * `keep(size)` whether a step happens at all: the right answer uses (size, true); the wrong ones
 * (a fixed batchSize divisor, or dropping the short batch) are computed too, to show the test can
 * tell them apart.
 */
function reference(
  batchSize: number,
  epochs: number,
  divisor = (size: number) => size,
  keep = (_size: number) => true,
): Expected {
  const plan = planModel(modelSchema.parse({ layers }), 3); // defaults filled: init 'he'
  const init = new Float32Array(plan.paramCount);
  initParams(plan, init, SEED);
  const [pW1, pb1, pW2, pb2] = plan.params;
  assert.equal(
    plan.params.map((p) => p.name),
    ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias'],
  );
  const matrix = (p: typeof pW1) =>
    Array.from({ length: p.shape[0] }, (_, i) =>
      Array.from(init.subarray(p.offset + i * p.shape[1], p.offset + (i + 1) * p.shape[1])),
    );
  const W1 = matrix(pW1); // 3×4, y = x·W + b
  const b1 = Array.from(init.subarray(pb1.offset, pb1.offset + 4));
  const W2 = matrix(pW2); // 4×3
  const b2 = Array.from(init.subarray(pb2.offset, pb2.offset + 3));
  assert.ok(b1.every((v) => v === 0) && W1.flat().some((v) => v !== 0), 'he init: random weights, zero biases');
  const losses: number[] = [];
  const accuracies: number[] = [];
  const n = ROWS.length;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(n, createRng(SEED, STREAM.order, epoch));
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const batch = Array.from(order.subarray(start, Math.min(n, start + batchSize)));
      const gW1 = W1.map((r) => r.map(() => 0)),
        gb1 = b1.map(() => 0);
      const gW2 = W2.map((r) => r.map(() => 0)),
        gb2 = b2.map(() => 0);
      for (const row of batch) {
        const label = ROWS[row][0];
        const x = ROWS[row].slice(1);
        const a = b1.map((b, j) => b + x.reduce((sum, xi, i) => sum + xi * W1[i][j], 0));
        const h = a.map((v) => Math.max(0, v));
        const z = b2.map((b, k) => b + h.reduce((sum, hj, j) => sum + hj * W2[j][k], 0));
        const max = Math.max(...z);
        const lse = max + Math.log(z.reduce((sum, v) => sum + Math.exp(v - max), 0));
        lossSum += lse - z[label];
        if (z.indexOf(max) === label) correct++;
        const dz = z.map((v, k) => Math.exp(v - lse) - (k === label ? 1 : 0));
        const dh = h.map((_, j) => dz.reduce((sum, d, k) => sum + d * W2[j][k], 0));
        const da = dh.map((d, j) => (a[j] > 0 ? d : 0));
        dz.forEach((d, k) => {
          gb2[k] += d;
          h.forEach((hj, j) => (gW2[j][k] += hj * d));
        });
        da.forEach((d, j) => {
          gb1[j] += d;
          x.forEach((xi, i) => (gW1[i][j] += xi * d));
        });
      }
      if (!keep(batch.length)) continue;
      const scale = LR / divisor(batch.length);
      W1.forEach((r, i) => r.forEach((_, j) => (r[j] -= scale * gW1[i][j])));
      b1.forEach((_, j) => (b1[j] -= scale * gb1[j]));
      W2.forEach((r, j) => r.forEach((_, k) => (r[k] -= scale * gW2[j][k])));
      b2.forEach((_, k) => (b2[k] -= scale * gb2[k]));
    }
    losses.push(lossSum / n);
    accuracies.push(correct / n);
  }
  return { W1, b1, W2, b2, losses, accuracies };
}

/** Largest |trainer − float64| over every parameter. */
function distance(result: TrainResult, expected: Expected): number {
  const pairs: Array<[Float32Array, number[]]> = [
    [result.weights['layers.0.weight'].data, expected.W1.flat()],
    [result.weights['layers.0.bias'].data, expected.b1],
    [result.weights['layers.2.weight'].data, expected.W2.flat()],
    [result.weights['layers.2.bias'].data, expected.b2],
  ];
  let max = 0;
  for (const [actual, wanted] of pairs) {
    assert.is(actual.length, wanted.length);
    wanted.forEach((w, i) => (max = Math.max(max, Math.abs(actual[i] - w))));
  }
  return max;
}

// Weights are O(1) after a few steps; float32 against float64 over 6 steps stays far below this.
const TOLERANCE = 2e-5;
const run = (c: RunConfigInput) => withTimeout(train(c, { write: false }), 60_000, 'train');

s('the float64 reference separates the right averaging from dropping or mis-weighting the short batch', () => {
  const right = reference(4, 2);
  const flat = (e: Expected) => [...e.W1.flat(), ...e.b1, ...e.W2.flat(), ...e.b2];
  const gap = (e: Expected) => Math.max(...flat(e).map((v, i) => Math.abs(v - flat(right)[i])));
  assert.ok(gap(reference(4, 2, () => 4)) > 100 * TOLERANCE, 'dividing the 2-row batch by 4 must be detectable');
  assert.ok(
    gap(
      reference(
        4,
        2,
        (n) => n,
        (n) => n === 4,
      ),
    ) >
      100 * TOLERANCE,
    'dropping the 2-row batch must be detectable',
  );
});

for (const kernels of KERNELS) {
  s(
    `${kernels}: steps of 4, 4, 2 rows match the float64 SGD (2 epochs), for chunks 1, 2, 3 and 8 (empty chunks)`,
    async () => {
      const expected = reference(4, 2);
      for (const chunks of [1, 2, 3, 8]) {
        const result = await run(config(4, 2, { kernels, chunks }));
        assert.is(result.summary.steps, 6);
        const d = distance(result, expected);
        assert.ok(d < TOLERANCE, `chunks ${chunks}: ${d} from the float64 weights`);
        result.metrics.forEach((m, e) => {
          assert.ok(
            Math.abs(m.loss - expected.losses[e]) < 1e-5,
            `chunks ${chunks} epoch ${e + 1}: loss ${m.loss} vs ${expected.losses[e]}`,
          );
          assert.is(m.trainAccuracy, expected.accuracies[e], `chunks ${chunks} epoch ${e + 1}: accuracy`);
          assert.is(m.testAccuracy, null, 'no test split');
        });
      }
    },
  );

  s(`${kernels}: a batch larger than the dataset is one step over all 10 rows`, async () => {
    const expected = reference(16, 2);
    for (const [workers, chunks] of [
      [1, 1],
      [2, 4],
      [3, 16],
    ]) {
      const result = await run(config(16, 2, { kernels, workers, chunks }));
      assert.is(result.summary.steps, 2, 'one step per epoch');
      const d = distance(result, expected);
      assert.ok(d < TOLERANCE, `workers ${workers} chunks ${chunks}: ${d} from the float64 weights`);
    }
  });
}

s.run();
