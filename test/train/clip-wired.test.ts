import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { initParams } from '../../src/model/init.ts';
import { planModel } from '../../src/model/plan.ts';
import { assertSameWeights, tempDir, userErrorOf } from './helpers.ts';

/**
 * train.clipGradientNorm in the trainer: the weights of a 2-H-3 ReLU net trained with SGD on 12
 * rows (one full-batch step per epoch) against the same training written here in float64 —
 * forward, backward, global L2 norm over every parameter, PyTorch's factor max / (norm + 1e-6).
 * H = 2100 gives 12,603 parameters, so the norm is summed over 4 reduce ranges. Byte-identical
 * weights at 1, 2 and 3 workers.
 */
const s = suite('gradient clipping by global norm, wired into the trainer');

const HIDDEN = 2100;
const ROWS: Array<[number, number, number]> = [
  [0, 0.9, 0.1],
  [0, 0.7, -0.3],
  [0, 1.2, 0.4],
  [0, 0.8, 0.9],
  [1, -0.6, 0.8],
  [1, -0.2, 1.1],
  [1, 0.1, 0.7],
  [1, -0.9, 0.3],
  [2, -0.5, -0.9],
  [2, 0.2, -1.0],
  [2, -1.1, -0.4],
  [2, 0.4, -0.6],
];
const [LR, MAX_NORM, EPOCHS] = [0.5, 0.2, 6];

function config(path: string, workers: number, clip: number | undefined): RunConfigInput {
  return {
    seed: 11,
    data: { source: 'csv', path },
    model: {
      layers: [
        { type: 'affine', units: HIDDEN, init: 'normal', std: 0.3 },
        { type: 'relu' },
        { type: 'affine', units: 3, init: 'normal', std: 0.3 },
      ],
    },
    train: {
      epochs: EPOCHS,
      batchSize: ROWS.length,
      optimizer: { type: 'sgd', learningRate: LR },
      ...(clip === undefined ? {} : { clipGradientNorm: clip }),
    },
    parallel: { workers, chunks: 3, kernels: 'wasm' },
  };
}

/** Full-batch SGD in float64 from `start` (the trainer's initial parameters); the norm before each clip. */
function referenceTraining(start: Float32Array, maxNorm: number | null): { params: Float64Array; norms: number[] } {
  const H = HIDDEN;
  const p = Float64Array.from(start);
  // The plan's layout: layers.0.weight [2, H], layers.0.bias [H], layers.2.weight [H, 3], layers.2.bias [3].
  const [w1, b1, w2, b2] = [0, 2 * H, 3 * H, 6 * H];
  const norms: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const g = new Float64Array(p.length);
    for (const [label, x0, x1] of ROWS) {
      const h = new Float64Array(H);
      for (let j = 0; j < H; j++) h[j] = Math.max(0, x0 * p[w1 + j] + x1 * p[w1 + H + j] + p[b1 + j]);
      const z = [0, 1, 2].map((k) => {
        let sum = p[b2 + k];
        for (let j = 0; j < H; j++) sum += h[j] * p[w2 + 3 * j + k];
        return sum;
      });
      const top = Math.max(...z);
      const e = z.map((v) => Math.exp(v - top));
      const total = e[0] + e[1] + e[2];
      const dz = e.map((v, k) => (v / total - (k === label ? 1 : 0)) / ROWS.length);
      for (let k = 0; k < 3; k++) g[b2 + k] += dz[k];
      for (let j = 0; j < H; j++) {
        let dh = 0;
        for (let k = 0; k < 3; k++) {
          g[w2 + 3 * j + k] += h[j] * dz[k];
          dh += p[w2 + 3 * j + k] * dz[k];
        }
        if (h[j] <= 0) continue;
        g[w1 + j] += x0 * dh;
        g[w1 + H + j] += x1 * dh;
        g[b1 + j] += dh;
      }
    }
    const norm = Math.sqrt(g.reduce((sum, v) => sum + v * v, 0));
    norms.push(norm);
    const factor = maxNorm === null ? 1 : Math.min(1, maxNorm / (norm + 1e-6));
    for (let i = 0; i < p.length; i++) p[i] -= LR * factor * g[i];
  }
  return { params: p, norms };
}

function maxDifference(weights: Record<string, { data: Float32Array }>, offsets: string[], expected: Float64Array) {
  const flat = Float64Array.from(offsets.flatMap((name) => Array.from(weights[name].data)));
  let worst = 0;
  for (let i = 0; i < flat.length; i++) worst = Math.max(worst, Math.abs(flat[i] - expected[i]));
  return worst;
}

s('clipped SGD matches a float64 reference; the clip was active; 1, 2 and 3 workers write the same bytes', async () => {
  const dir = tempDir('clip-');
  const path = join(dir, 'rows.csv');
  writeFileSync(path, 'label,x0,x1\n' + ROWS.map((r) => r.join(',')).join('\n') + '\n');
  const resolved = parseConfig(config(path, 1, MAX_NORM) as never);
  const plan = planModel(resolved.model, 2);
  assert.ok(plan.paramCount > 3 * 4096, `${plan.paramCount} parameters: the norm must span several ranges`);
  const start = new Float32Array(plan.paramCount);
  initParams(plan, start, resolved.seed);
  const names = plan.params.map((p) => p.name);

  const clipped = referenceTraining(start, MAX_NORM);
  const unclipped = referenceTraining(start, null);
  assert.ok(
    clipped.norms.every((n) => n > 2 * MAX_NORM),
    `every step must be clipped: norms ${clipped.norms.map((n) => n.toFixed(3))}`,
  );

  const runs = [];
  for (const workers of [1, 2, 3]) runs.push(await train(config(path, workers, MAX_NORM), { write: false }));
  const error = maxDifference(runs[0].weights, names, clipped.params);
  assert.ok(error < 2e-5, `clipped weights differ from the float64 reference by ${error}`);
  const wouldBe = maxDifference(runs[0].weights, names, unclipped.params);
  assert.ok(wouldBe > 100 * 2e-5, `the unclipped reference is as close (${wouldBe}): the test cannot tell`);
  assertSameWeights(runs[1].weights, runs[0].weights, '2 workers vs 1');
  assertSameWeights(runs[2].weights, runs[0].weights, '3 workers vs 1');

  // A threshold above every norm clips nothing: the same bytes as the run without the option.
  const loose = await train(config(path, 2, 1e6), { write: false });
  const none = await train(config(path, 2, undefined), { write: false });
  assertSameWeights(loose.weights, none.weights, 'clipGradientNorm above every norm vs none');
});

s('a non-finite gradient under clipping stops the run naming the step; its update is never applied', async () => {
  const error = await userErrorOf(
    train(
      {
        seed: 5,
        data: { source: 'synthetic', kind: 'spiral', n: 300 },
        model: {
          layers: [{ type: 'affine', units: 16 }, { type: 'sigmoid' }, { type: 'affine', units: 3 }],
          loss: 'mse',
        },
        train: { epochs: 3, batchSize: 32, optimizer: { type: 'sgd', learningRate: 1e30 }, clipGradientNorm: 1 },
        parallel: { workers: 2, chunks: 4, kernels: 'wasm' },
      },
      { write: false },
    ),
  );
  // Step 1 throws the weights to ~1e29, step 2's gradient overflows: named, and not applied (an applied NaN
  // update would reset the flag and surface one step later as a non-finite loss).
  assert.match(error.message, /diverged at epoch 1, step 2 \(global step 2\): a non-finite gradient/);
});

s.run();
