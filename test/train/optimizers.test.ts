import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as k } from '../../src/kernels/reference.ts';
import { train } from '../../src/train/train.ts';

const s = suite('optimizers');
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);

s('sgd: w − lr·(g + wd·w), by hand', () => {
  const w = new Float32Array([1, 1]);
  k.sgd(w, new Float32Array([0.5, 0.5]), 1, 0.1, 0); // only the first element
  close(w[0], 0.95, 'no decay');
  assert.is(w[1], 1, 'len is respected');
  const d = new Float32Array([1]);
  k.sgd(d, new Float32Array([0.5]), 1, 0.1, 0.1); // g' = 0.5 + 0.1 = 0.6
  close(d[0], 0.94, 'with weight decay');
});

s('momentum: v = μv − lr·g, w += v, over two steps by hand', () => {
  const w = new Float32Array([1]);
  const v = new Float32Array([0]);
  k.momentum(w, new Float32Array([0.5]), v, 1, 0.1, 0.9, 0);
  close(v[0], -0.05, 'v1');
  close(w[0], 0.95, 'w1');
  k.momentum(w, new Float32Array([0.5]), v, 1, 0.1, 0.9, 0);
  close(v[0], -0.095, 'v2 = 0.9·(−0.05) − 0.05');
  close(w[0], 0.855, 'w2');
});

s('adagrad: h += g², w −= lr·g/(√h + eps), by hand', () => {
  const w = new Float32Array([1]);
  const h = new Float32Array([0]);
  k.adagrad(w, new Float32Array([2]), h, 1, 0.1, 1e-7, 0);
  close(h[0], 4, 'h');
  close(w[0], 1 - (0.1 * 2) / (2 + 1e-7), 'w');
});

s('adam: bias-corrected moments over two steps, by hand', () => {
  const w = new Float32Array([1]);
  const m = new Float32Array([0]);
  const v = new Float32Array([0]);
  k.adam(w, new Float32Array([0.5]), m, v, 1, 0.01, 0.9, 0.999, 1e-8, 0, 1);
  // Step 1: m̂ = g, v̂ = g², so the step is lr·g/|g| = 0.01.
  close(m[0], 0.05, 'm1');
  close(v[0], 0.00025, 'v1');
  close(w[0], 0.99, 'w1');
  k.adam(w, new Float32Array([-0.5]), m, v, 1, 0.01, 0.9, 0.999, 1e-8, 0, 2);
  // m = 0.045 − 0.05 = −0.005, m̂ = −0.005/0.19; v = 0.00024975 + 0.00025, v̂ = v/0.001999 = 0.25.
  close(m[0], -0.005, 'm2');
  close(v[0], 0.00049975, 'v2');
  close(w[0], 0.99 + (0.01 * (0.005 / 0.19)) / 0.5, 'w2');
});

const spiral = (optimizer: Record<string, unknown>) => ({
  name: 'opt',
  seed: 3,
  data: { source: 'synthetic' as const, kind: 'spiral' as const, n: 300 },
  model: {
    layers: [{ type: 'affine' as const, units: 16 }, { type: 'tanh' as const }, { type: 'affine' as const, units: 3 }],
  },
  train: { epochs: 8, batchSize: 30, optimizer },
  parallel: { workers: 1, chunks: 2 },
});

for (const optimizer of [
  { type: 'sgd', learningRate: 0.5 },
  { type: 'momentum', learningRate: 0.1, momentum: 0.9 },
  { type: 'adagrad', learningRate: 0.1 },
  { type: 'adam', learningRate: 0.02, weightDecay: 1e-4 },
]) {
  s(`${optimizer.type} lowers the training loss on the spiral data`, async () => {
    const { metrics } = await train(spiral(optimizer) as never, { write: false });
    const first = metrics[0].loss;
    const last = metrics[metrics.length - 1].loss;
    assert.ok(last < 0.85 * first, `${optimizer.type}: loss ${first} → ${last}`);
  });
}

s.run();
