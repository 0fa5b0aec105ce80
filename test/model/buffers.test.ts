import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelSchema } from '../../src/config/model-schema.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import { ChainModel } from '../../src/model/chain.ts';
import { planModel } from '../../src/model/plan.ts';
import { heapAllocator, tensor } from '../../src/tensor.ts';
import { layoutArena, type LayoutSpec } from '../../src/train/layout.ts';

/**
 * Buffers (batch norm's running statistics): declared by the registry beside the parameters, laid
 * out by planModel in a vector of their own, bound by ChainModel; a model without any keeps the
 * arena layout it always had.
 */
const s = suite('model buffers');

const config = modelSchema.parse({
  layers: [
    { type: 'affine', units: 3 },
    { type: 'batch-norm', momentum: 0.5 },
    { type: 'relu' },
    { type: 'affine', units: 2 },
  ],
});

s('batch-norm: defaults momentum 0.9 and ε 1e-5; γ, β are parameters, the running statistics buffers', () => {
  assert.equal(modelSchema.parse({ layers: [{ type: 'batch-norm' }] }).layers, [
    { type: 'batch-norm', momentum: 0.9, epsilon: 1e-5 },
  ]);
  const plan = planModel(config, 4);
  // By hand: affine 4→3 (12 + 3), γ [3] at 15, β [3] at 18, affine 3→2 (6 + 2) at 21.
  assert.equal(
    plan.params.map((p) => [p.name, p.offset, p.size]),
    [
      ['layers.0.weight', 0, 12],
      ['layers.0.bias', 12, 3],
      ['layers.1.gamma', 15, 3],
      ['layers.1.beta', 18, 3],
      ['layers.3.weight', 21, 6],
      ['layers.3.bias', 27, 2],
    ],
  );
  assert.is(plan.paramCount, 29);
  assert.equal(
    plan.buffers.map((b) => [b.name, b.offset, b.size, b.init]),
    [
      ['layers.1.running_mean', 0, 3, 0],
      ['layers.1.running_var', 3, 3, 1],
    ],
  );
  assert.is(plan.bufferCount, 6);
  assert.is(planModel(modelSchema.parse({ layers: [{ type: 'affine', units: 2 }] }), 4).bufferCount, 0);
});

s('ChainModel: fresh buffers start at mean 0, variance 1; evaluation reads whichever copy is bound', () => {
  const plan = planModel(modelSchema.parse({ layers: [{ type: 'affine', units: 3 }, { type: 'batch-norm' }] }), 4);
  const values = new Float32Array(plan.paramCount); // W = 0, so the affine's output is its bias
  values.set([2, 4, 6], 12); // b
  values.set([1, 1, 1], 15); // γ = 1, β = 0
  const model = new ChainModel(plan, values, new Float32Array(plan.paramCount), 1, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });
  assert.equal([...model.buffers[0].value], [0, 0, 0]);
  assert.equal([...model.buffers[1].value], [1, 1, 1]);
  const x = tensor([1, 4], [0, 0, 0, 0]);
  // Evaluation on the starting statistics: y = (b − 0)/√(1 + ε).
  model.forward(x).data.forEach((v, j) => assert.ok(Math.abs(v - (2 * (j + 1)) / Math.sqrt(1 + 1e-5)) < 1e-5));
  const other = Float32Array.of(2, 4, 6, 4, 4, 4); // running mean = b, variance 4: y = 0
  model.bindBuffers(model.buffersOf(other));
  assert.equal([...model.forward(x).data], [0, 0, 0]);
});

s('a model without buffers keeps the arena layout it had (the buffer and partial regions are empty)', () => {
  const spec: LayoutSpec = {
    reservedBytes: 1000,
    paramCount: 1234,
    optimizerStateCount: 1,
    chunks: 4,
    statsEntries: 4,
    features: 5,
    trainCount: 100,
    testCount: 20,
    threads: 2,
    scratchFloats: 777,
    bytesPerInput: 4,
  };
  const without = layoutArena(spec);
  const empty = layoutArena({ ...spec, bufferCount: 0, batchNormPartials: 0 });
  assert.is(empty.bytes, without.bytes);
  assert.equal(empty.scratch, without.scratch);
  assert.equal(
    empty.buffers.map((r) => r.length),
    [0, 0],
  );
  const withBuffers = layoutArena({ ...spec, bufferCount: 6, batchNormPartials: 48 });
  assert.equal(withBuffers.scratch, without.scratch, 'the new regions come after every existing one');
  assert.ok(withBuffers.batchNorm.offset % 8 === 0 && withBuffers.bytes > without.bytes);
});

s.run();
