import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelSchema } from '../../src/config/model-schema.ts';
import { initParams } from '../../src/model/init.ts';
import { planModel } from '../../src/model/plan.ts';
import { createRng, STREAM } from '../../src/random.ts';

const s = suite('weight init');

function initialised(layer: Record<string, unknown>, inputs = 400, seed = 7) {
  const plan = planModel(
    modelSchema.parse({ layers: [{ type: 'affine', units: 300, ...layer }, { type: 'scale' }, { type: 'bias' }] }),
    inputs,
  );
  const values = new Float32Array(plan.paramCount);
  initParams(plan, values, seed);
  const part = (name: string) => {
    const p = plan.params.find((q) => q.name === name)!;
    return values.subarray(p.offset, p.offset + p.size);
  };
  return {
    values,
    weight: part('layers.0.weight'),
    bias: part('layers.0.bias'),
    scale: part('layers.1.scale'),
    shift: part('layers.2.bias'),
  };
}

function std(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

// 120,000 draws: the sample std is within ~0.3% of the true one, so 2% bounds cannot flake.
s('he draws N(0, 2/fanIn): std √(2/400) ≈ 0.0707', () => {
  assert.ok(Math.abs(std(initialised({ init: 'he' }).weight) / Math.sqrt(2 / 400) - 1) < 0.02);
});

// Glorot & Bengio: fanIn 400, fanOut 300 (the layer's units). 7% above lecun's 0.05: the 2% bounds tell them apart.
s('xavier draws N(0, 2/(fanIn + fanOut)): std √(2/700) ≈ 0.0535', () => {
  assert.ok(Math.abs(std(initialised({ init: 'xavier' }).weight) / Math.sqrt(2 / 700) - 1) < 0.02);
});

s('lecun draws N(0, 1/fanIn): std 1/√400 = 0.05 (what xavier meant before)', () => {
  assert.ok(Math.abs(std(initialised({ init: 'lecun' }).weight) / 0.05 - 1) < 0.02);
});

s('normal draws N(0, std²) with the given std', () => {
  assert.ok(Math.abs(std(initialised({ init: 'normal', std: 0.3 }).weight) / 0.3 - 1) < 0.02);
});

s('zeros, biases 0 and scales 1', () => {
  const { weight, bias, scale, shift } = initialised({ init: 'zeros' });
  assert.ok(weight.every((v) => v === 0));
  assert.ok(bias.every((v) => v === 0) && shift.every((v) => v === 0));
  assert.ok(scale.every((v) => v === 1));
});

// Independent of the code under test: the init stream's normals, times each layer's std, in layout order
// (layer 0's weight, its bias draws nothing, then layer 2's weight, then layer 3's). lecun's std is the
// same expression as the old xavier's, so configs that switch to lecun keep their numbers bit for bit.
s('weights are drawn in layout order from the init stream; constant tensors draw nothing', () => {
  const layers = [
    { type: 'affine', units: 3, init: 'he' },
    { type: 'tanh' },
    { type: 'affine', units: 2, init: 'lecun' },
    { type: 'affine', units: 2, init: 'normal', std: 0.5 },
  ];
  const plan = planModel(modelSchema.parse({ layers }), 4);
  const values = new Float32Array(plan.paramCount);
  initParams(plan, values, 9);
  const rng = createRng(9, STREAM.init);
  const draws = (count: number, std: number) => Array.from({ length: count }, () => std * rng.normal());
  const expected = [
    ...draws(12, Math.sqrt(2 / 4)),
    ...[0, 0, 0],
    ...draws(6, Math.sqrt(1 / 3)),
    ...[0, 0],
    ...draws(4, 0.5),
    ...[0, 0],
  ];
  assert.equal(Array.from(values), Array.from(Float32Array.from(expected)));
});

s('the same seed gives the same weights, another seed others', () => {
  const a = initialised({ init: 'he' }, 400, 7).values;
  assert.equal(Array.from(initialised({ init: 'he' }, 400, 7).values), Array.from(a));
  assert.not.equal(
    Array.from(initialised({ init: 'he' }, 400, 8).values.subarray(0, 100)),
    Array.from(a.subarray(0, 100)),
  );
});

s.run();
