import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelSchema } from '../../src/config/model-schema.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { TrainingPass } from '../../src/layers/layer.ts';
import { ChainModel } from '../../src/model/chain.ts';
import { initParams } from '../../src/model/init.ts';
import { planModel } from '../../src/model/plan.ts';
import { createRng, permutation } from '../../src/random.ts';
import { chunkBounds } from '../../src/train/partition.ts';
import { heapAllocator, tensor } from '../../src/tensor.ts';

const s = suite('ChainModel: training pass versus evaluation, chunking, new layer configs');

const config = modelSchema.parse({
  layers: [
    { type: 'affine', units: 8 },
    { type: 'layer-norm' },
    { type: 'gelu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'leaky-relu' },
    { type: 'affine', units: 3 },
  ],
});
const plan = planModel(config, 5);
const values = new Float32Array(plan.paramCount);
initParams(plan, values, 3);
const build = (maxRows: number) =>
  new ChainModel(plan, values, new Float32Array(plan.paramCount), maxRows, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });

const ROWS = 12;
const rng = createRng(4);
const x = tensor(
  [ROWS, 5],
  Array.from({ length: ROWS * 5 }, () => rng.normal()),
);
const order = permutation(40, createRng(5));
const pass = (step: number, first = 10): TrainingPass => ({ seed: 42, step, samples: order, first });

s('the registry fills the new layers’ defaults: alpha 0.01, exact GELU, ε 1e-5, rate 0.5', () => {
  const parsed = modelSchema.parse({
    layers: [{ type: 'leaky-relu' }, { type: 'gelu' }, { type: 'layer-norm' }, { type: 'dropout' }],
  }).layers;
  assert.equal(parsed, [
    { type: 'leaky-relu', alpha: 0.01 },
    { type: 'gelu', approximate: 'none' },
    { type: 'layer-norm', epsilon: 1e-5 },
    { type: 'dropout', rate: 0.5 },
  ]);
});

s('bad values are errors at their path: rate 1, a negative alpha, an unknown approximation', () => {
  const issue = (layer: object) => modelSchema.safeParse({ layers: [layer] }).error?.issues[0];
  assert.equal(issue({ type: 'dropout', rate: 1 })?.path, ['layers', 0, 'rate']);
  assert.equal(issue({ type: 'leaky-relu', alpha: -0.1 })?.path, ['layers', 0, 'alpha']);
  assert.equal(issue({ type: 'gelu', approximate: 'sigmoid' })?.path, ['layers', 0, 'approximate']);
  assert.equal(issue({ type: 'layer-norm', epsilon: 0 })?.path, ['layers', 0, 'epsilon']);
});

// By hand: layer-norm over 8 features has gamma [8] (start 1) and beta [8] (start 0).
s('layer-norm declares gamma and beta of the input shape, 1 and 0 to start', () => {
  const norm = plan.params.filter((p) => p.layer === 1);
  assert.equal(
    norm.map((p) => [p.name, p.shape, p.init]),
    [
      ['layers.1.gamma', [8], { kind: 'constant', value: 1 }],
      ['layers.1.beta', [8], { kind: 'constant', value: 0 }],
    ],
  );
});

s('a forward without a pass is an evaluation (dropout off): repeatable, and unlike a training forward', () => {
  const model = build(ROWS);
  const evaluation = Array.from(model.forward(x).data);
  const training = Array.from(model.forward(x, pass(0)).data);
  assert.not.equal(training, evaluation);
  // The mode does not stick: the next forward without a pass is an evaluation again.
  assert.equal(Array.from(model.forward(x).data), evaluation);
  assert.equal(Array.from(model.forward(x, pass(0)).data), training);
  assert.not.equal(Array.from(model.forward(x, pass(1)).data), training);
});

s('a batch cut into 1, 2, 3 or 5 chunks gives every row the same output bit for bit (reference kernels)', () => {
  const whole = Array.from(build(ROWS).forward(x, pass(7)).data);
  for (const chunks of [1, 2, 3, 5]) {
    const model = build(Math.ceil(ROWS / chunks));
    for (let c = chunks - 1; c >= 0; c--) {
      const [start, end] = chunkBounds(ROWS, chunks, c);
      const rows = tensor([end - start, 5], x.data.slice(start * 5, end * 5));
      const y = Array.from(model.forward(rows, pass(7, 10 + start)).data);
      assert.equal(y, whole.slice(start * 3, end * 3), `${chunks} chunks, chunk ${c}`);
    }
  }
});

// Class weights come with the training pass, so an evaluation (no pass) is unweighted by construction.
s("class weights in the pass multiply each row's loss by its class's weight (weight 0 drops the class)", () => {
  const model = build(ROWS);
  const targets = Float32Array.from({ length: ROWS }, (_, i) => i % 3);
  const weights = Float32Array.of(0.5, 2, 0);
  const plain = model.forwardLoss(x, targets, pass(2)).lossSum;
  const perRow = Array.from(
    { length: ROWS },
    (_, i) =>
      model.forwardLoss(row(i), targets.subarray(i, i + 1), {
        ...pass(2, 10 + i),
      }).lossSum,
  );
  assert.ok(Math.abs(perRow.reduce((a, b) => a + b, 0) - plain) < 1e-4 * plain);
  const weighted = model.forwardLoss(x, targets, { ...pass(2), classWeights: weights }).lossSum;
  const expected = perRow.reduce((sum, loss, i) => sum + weights[i % 3] * loss, 0);
  assert.ok(Math.abs(weighted - expected) < 1e-4 * expected, `${weighted} vs ${expected}`);
});

function row(i: number) {
  return tensor([1, 5], x.data.slice(i * 5, i * 5 + 5));
}

s('a pass with fewer sample indices than rows is an error', () => {
  assert.throws(() => build(ROWS).forward(x, pass(0, 35)), /12 rows from row 35 of 40 sample indices/);
});

s.run();
