import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { modelSchema } from '../../src/config/model-schema.ts';
import { UserError } from '../../src/errors.ts';
import { Affine } from '../../src/layers/affine.ts';
import { ReLU } from '../../src/layers/activations.ts';
import { Bias, Scale } from '../../src/layers/scale-bias.ts';
import { ChainModel } from '../../src/model/chain.ts';
import { planModel } from '../../src/model/plan.ts';
import { heapAllocator, tensor } from '../../src/tensor.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';

const s = suite('layer registry: config names, plan, chain');

const parseLayers = (layers: unknown[]) => modelSchema.parse({ layers }).layers;

s('config names build the classes they name: scale → Scale, bias → Bias', () => {
  const config = modelSchema.parse({
    layers: [{ type: 'affine', units: 2 }, { type: 'scale' }, { type: 'bias' }, { type: 'relu' }],
  });
  const plan = planModel(config, 3);
  const model = new ChainModel(plan, new Float32Array(plan.paramCount), new Float32Array(plan.paramCount), 1, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });
  assert.equal(
    model.layers.map((layer) => layer.constructor),
    [Affine, Scale, Bias, ReLU],
  );
});

s('the old names mul and add are aliases: they parse to scale and bias', () => {
  assert.equal(parseLayers([{ type: 'mul' }, { type: 'add' }]), [{ type: 'scale' }, { type: 'bias' }]);
});

s('the resolved run config (what config.json records) says scale and bias', () => {
  const config = parseConfig({
    data: { source: 'synthetic', kind: 'xor' },
    train: {},
    model: { layers: [{ type: 'affine', units: 2 }, { type: 'mul' }, { type: 'add' }] },
  });
  assert.equal(
    config.model.layers.map((layer) => layer.type),
    ['affine', 'scale', 'bias'],
  );
});

s('an alias is as strict as its type: an unknown key is an error naming it', () => {
  const result = modelSchema.safeParse({ layers: [{ type: 'mul', units: 3 }] });
  assert.not.ok(result.success);
  assert.match(result.error!.issues[0].message, /Unrecognized key: "units"/);
  assert.equal(result.error!.issues[0].path, ['layers', 0]);
});

s('an unknown layer type is an error at its `type` that lists the types', () => {
  let error: unknown;
  try {
    parseConfig({ data: { source: 'synthetic', kind: 'xor' }, train: {}, model: { layers: [{ type: 'conv' }] } });
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, UserError);
  const message = (error as UserError).message;
  const types = ['affine', 'scale', 'mul', 'bias', 'add', 'relu', 'sigmoid', 'tanh']
    .concat(['leaky-relu', 'gelu', 'layer-norm', 'dropout', 'batch-norm'])
    .map((type) => `'${type}'`);
  assert.ok(message.includes(types.join(' | ')), message);
  assert.match(message, /→ at model\.layers\[0\]\.type/);
});

// By hand: affine 4→3 has W [4,3] (12) and b [3]; scale and bias one per feature (3 each); relu none;
// affine 3→2 has W [3,2] (6) and b [2]. Offsets run on in layer order.
s('planModel places every parameter in layer order, with the shapes of each layer', () => {
  const plan = planModel(
    modelSchema.parse({
      layers: [
        { type: 'affine', units: 3 },
        { type: 'scale' },
        { type: 'bias' },
        { type: 'relu' },
        { type: 'affine', units: 2 },
      ],
    }),
    4,
  );
  assert.equal(
    plan.params.map(({ name, shape, offset, size }) => [name, shape, offset, size]),
    [
      ['layers.0.weight', [4, 3], 0, 12],
      ['layers.0.bias', [3], 12, 3],
      ['layers.1.scale', [3], 15, 3],
      ['layers.2.bias', [3], 18, 3],
      ['layers.4.weight', [3, 2], 21, 6],
      ['layers.4.bias', [2], 27, 2],
    ],
  );
  assert.is(plan.paramCount, 29);
  assert.equal(plan.shapes, [[3], [3], [3], [3], [2]]);
  assert.equal([plan.inputs, plan.outputs], [4, 2]);
});

s('a per-sample input shape: scale keeps it, affine takes the sample as one flat vector', () => {
  const plan = planModel(modelSchema.parse({ layers: [{ type: 'scale' }, { type: 'affine', units: 5 }] }), [2, 3]);
  assert.equal(plan.inputShape, [2, 3]);
  assert.is(plan.inputs, 6);
  assert.equal(
    plan.params.map((p) => p.shape),
    [[2, 3], [6, 5], [5]],
  );
  assert.equal(plan.shapes, [[2, 3], [5]]);
});

// W = [[1, 2], [3, 4]], b = [0.5, −0.5], s = [2, −1], bias [1, 1]. x = [1, 1]:
// x·W + b = [4.5, 5.5]; ⊙ s = [9, −5.5]; + 1 = [10, −4.5]; relu = [10, 0].
s('the chain built from the registry computes relu((x·W + b) ⊙ s + c) by hand', () => {
  const config = modelSchema.parse({
    layers: [{ type: 'affine', units: 2 }, { type: 'mul' }, { type: 'add' }, { type: 'relu' }],
  });
  const plan = planModel(config, 2);
  const values = Float32Array.from([1, 2, 3, 4, 0.5, -0.5, 2, -1, 1, 1]);
  assert.is(plan.paramCount, values.length);
  const model = new ChainModel(plan, values, new Float32Array(plan.paramCount), 1, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });
  assert.equal(Array.from(model.forward(tensor([1, 2], [1, 1])).data), [10, 0]);
});

s.run();
