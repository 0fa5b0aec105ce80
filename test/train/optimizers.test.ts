import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as k } from '../../src/kernels/reference.ts';
import { optimizerSchema, type OptimizerConfig } from '../../src/config/schema.ts';
import { parseConfig } from '../../src/index.ts';
import { planModel } from '../../src/model/plan.ts';
import { applyOptimizer, decayPieces, optimizerStateCount } from '../../src/train/optimizer.ts';
import { train } from '../../src/train/train.ts';
import { assertSameWeights, maxAbsDiff, spiralConfig, userErrorOf } from './helpers.ts';

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

// ---- weight decay: coupled / decoupled (AdamW), on every parameter / on weights only ----

/** Runs `steps` updates of applyOptimizer (reference kernels) on params `w` with gradients `g[t]`. */
function runSteps(config: OptimizerConfig, w: number[], g: number[][], pieces = decayPieces([], config, 0, w.length)) {
  const count = optimizerStateCount(config);
  let from = { params: Float32Array.from(w), state: Array.from({ length: count }, () => new Float32Array(w.length)) };
  g.forEach((grads, t) => {
    const to = { params: new Float32Array(w.length), state: from.state.map((v) => new Float32Array(v.length)) };
    applyOptimizer(k, config, from, to, Float32Array.from(grads), t + 1, config.learningRate, pieces);
    from = to;
  });
  return from.params;
}
const opt = (o: Record<string, unknown>) => optimizerSchema.parse(o);

s('decoupled sgd: w − lr·g − lr·wd·w, by hand (equal to coupled up to rounding)', () => {
  const config = opt({ type: 'sgd', learningRate: 0.1, weightDecay: 0.5, decoupled: true });
  // 1 − 0.1·0.2 − 0.05·1 = 0.93, then 0.93 − 0.1·0.2 − 0.05·0.93 = 0.8635.
  const [w] = runSteps(config, [1], [[0.2], [0.2]]);
  close(w, 0.8635, 'two steps');
  const [coupled] = runSteps(opt({ type: 'sgd', learningRate: 0.1, weightDecay: 0.5 }), [1], [[0.2], [0.2]]);
  close(coupled, 0.8635, 'coupled');
});

s('decoupled momentum: the decay stays out of the velocity, over two steps by hand', () => {
  const base = { type: 'momentum', learningRate: 0.1, momentum: 0.9, weightDecay: 0.1 };
  // v1 = −0.05, w1 = 1 − 0.05 − 0.01·1 = 0.94; v2 = 0.9·(−0.05) − 0.05 = −0.095, w2 = 0.94 − 0.095 − 0.0094.
  close(runSteps(opt({ ...base, decoupled: true }), [1], [[0.5], [0.5]])[0], 0.8356, 'decoupled');
  // Coupled: v1 = −0.1·(0.5 + 0.1) = −0.06, w1 = 0.94; v2 = −0.054 − 0.1·(0.5 + 0.094) = −0.1134, w2 = 0.8266.
  close(runSteps(opt(base), [1], [[0.5], [0.5]])[0], 0.8266, 'coupled');
});

s('AdamW: bias-corrected moments of g alone, then − lr·wd·w, over two steps by hand', () => {
  const config = opt({ type: 'adam', learningRate: 0.01, weightDecay: 0.1, decoupled: true });
  // Step 1: m̂ = g, v̂ = g²: step 0.01; decay 0.01·0.1·1 = 0.001 → 0.989.
  close(runSteps(config, [1], [[0.5]])[0], 0.989, 'w1');
  // Step 2: m̂ = −0.005/0.19, v̂ = 0.00049975/0.001999 = 0.25: w = 0.989 + 0.01·(0.005/0.19)/0.5 − 0.001·0.989.
  const expected = 0.989 + (0.01 * (0.005 / 0.19)) / 0.5 - 0.001 * 0.989;
  close(runSteps(config, [1], [[0.5], [-0.5]])[0], expected, 'w2');
  // Coupled Adam would normalise the decay away at step 1: g' = 0.6, the step is still 0.01 → 0.99.
  close(runSteps(opt({ ...config, decoupled: false }), [1], [[0.5]])[0], 0.99, 'coupled w1');
});

s('decoupled adagrad: h += g² of g alone; w − lr·g/(√h + ε) − lr·wd·w, by hand', () => {
  const config = opt({ type: 'adagrad', learningRate: 0.1, weightDecay: 0.5, decoupled: true });
  close(runSteps(config, [1], [[2]])[0], 1 - (0.1 * 2) / (2 + 1e-7) - 0.05, 'w1');
});

s('applyTo "weights": biases, scale and layer-norm γ/β are not decayed (pieces from a real plan)', () => {
  const plan = planModel(
    {
      layers: [{ type: 'affine', units: 2 }, { type: 'scale' }, { type: 'layer-norm' }, { type: 'affine', units: 1 }],
    } as never,
    2,
  );
  // Layout: 0.weight [2,2] at 0–3, 0.bias 4–5, 1.scale 6–7, 2.gamma 8–9, 2.beta 10–11, 3.weight [2,1] 12–13, 3.bias 14.
  const config = opt({ type: 'sgd', learningRate: 0.1, weightDecay: 0.5, decoupled: true, applyTo: 'weights' });
  const pieces = decayPieces(plan.params, config, 0, plan.paramCount);
  assert.equal(pieces, [
    { start: 0, end: 4, decay: true },
    { start: 4, end: 12, decay: false },
    { start: 12, end: 14, decay: true },
    { start: 14, end: 15, decay: false },
  ]);
  // A range cut inside tensors: [3, 13) is 0.weight's last element, the 1-D tensors, 3.weight's first.
  assert.equal(decayPieces(plan.params, config, 3, 13), [
    { start: 0, end: 1, decay: true },
    { start: 1, end: 9, decay: false },
    { start: 9, end: 10, decay: true },
  ]);
  // With zero gradients only the decayed elements move: × (1 − 0.05).
  const w = runSteps(config, new Array(15).fill(2), [new Array(15).fill(0)], pieces);
  assert.equal(Array.from(w), [1.9, 1.9, 1.9, 1.9, 2, 2, 2, 2, 2, 2, 2, 2, 1.9, 1.9, 2].map(Math.fround));
  // Coupled, weights only: the same elements, through the gradient.
  const coupled = runSteps({ ...config, decoupled: false }, new Array(15).fill(2), [new Array(15).fill(0)], pieces);
  assert.equal(Array.from(coupled), Array.from(w));
  // "all" (or absent): one piece, every parameter decayed.
  assert.equal(decayPieces(plan.params, { ...config, applyTo: 'all' }, 0, 15), [{ start: 0, end: 15, decay: true }]);
  // Batch norm: γ and β are 1-D (not decayed); its running statistics are buffers, not parameters at all.
  const bn = planModel(
    { layers: [{ type: 'affine', units: 2 }, { type: 'batch-norm' }, { type: 'affine', units: 1 }] } as never,
    2,
  );
  // Layout: 0.weight 0–3, 0.bias 4–5, 1.gamma 6–7, 1.beta 8–9, 2.weight 10–11, 2.bias 12.
  assert.is(bn.paramCount, 13);
  assert.equal(decayPieces(bn.params, config, 0, bn.paramCount), [
    { start: 0, end: 4, decay: true },
    { start: 4, end: 10, decay: false },
    { start: 10, end: 12, decay: true },
    { start: 12, end: 13, decay: false },
  ]);
});

s('weight decay options are validated by the config', () => {
  const base = { data: { source: 'synthetic', kind: 'xor' }, model: { layers: [{ type: 'affine', units: 2 }] } };
  const withOptimizer = (o: Record<string, unknown>) => ({ ...base, train: { optimizer: { type: 'adam', ...o } } });
  assert.match(userErrorOf(() => parseConfig(withOptimizer({ applyTo: 'biases' }))).message, 'train.optimizer.applyTo');
  assert.match(
    userErrorOf(() => parseConfig(withOptimizer({ decoupled: 'yes' }))).message,
    'train.optimizer.decoupled',
  );
  // Absent options stay absent in the resolved config (older configs resolve unchanged).
  const resolved = parseConfig(withOptimizer({ weightDecay: 0.01 })).train.optimizer;
  assert.not.ok('decoupled' in resolved || 'applyTo' in resolved);
});

s('AdamW on weights only: byte-identical weights at 1 and 2 workers, and not the coupled result', async () => {
  const config = (workers: number, decoupled: boolean) => {
    const c = spiralConfig({ kernels: 'wasm', workers });
    const optimizer = { type: 'adam', learningRate: 0.05, weightDecay: 0.5, decoupled, applyTo: 'weights' };
    return { ...c, train: { ...c.train, optimizer } } as never;
  };
  const one = await train(config(1, true), { write: false });
  const two = await train(config(2, true), { write: false });
  assertSameWeights(two.weights, one.weights, 'workers 2 vs 1');
  const coupled = await train(config(1, false), { write: false });
  assert.ok(maxAbsDiff(coupled.weights, one.weights) > 1e-3, 'decoupled and coupled decay differ');
});

s.run();
