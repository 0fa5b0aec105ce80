import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelSchema, type LayerConfig, type ModelConfig } from '../../src/config/model-schema.ts';
import { gradcheck } from '../../src/gradcheck/check.ts';
import { subjectFromJson } from '../../src/gradcheck/load.ts';
import { modelSubject } from '../../src/gradcheck/model.ts';
import { layerKinds } from '../../src/layers/registry.ts';
import { createRng } from '../../src/random.ts';
import { assertPasses, worst } from './helpers.ts';

const s = suite('gradcheck: seeded random chains and the shipped configs');

/** Every layer kind that keeps the width, as config inputs (defaults are filled by the schema). */
const ELEMENTWISE: ReadonlyArray<{ type: string } & Record<string, unknown>> = [
  { type: 'relu' },
  { type: 'sigmoid' },
  { type: 'tanh' },
  { type: 'scale' },
  { type: 'bias' },
  { type: 'leaky-relu', alpha: 0.2 },
  { type: 'gelu' },
  { type: 'gelu', approximate: 'tanh' },
  { type: 'layer-norm' },
  { type: 'dropout', rate: 0.3 },
  { type: 'batch-norm' },
];
const INITS = ['he', 'xavier', 'lecun', 'normal'] as const;
/** The kinds that take or give [channels, height, width] images: data/configs/gradcheck-conv.json checks them. */
const IMAGE_KINDS = ['conv2d', 'maxpool', 'avgpool', 'flatten'];

/** A chain of 1–3 affine blocks, each followed by 0–2 random elementwise layers, then an output affine. */
function randomChain(seed: number): { config: ModelConfig; inputs: number; rows: number } {
  const rng = createRng(seed);
  const layers: unknown[] = [];
  const blocks = 1 + rng.int(3);
  for (let b = 0; b < blocks; b++) {
    layers.push({ type: 'affine', units: 2 + rng.int(6), init: INITS[rng.int(INITS.length)], std: 0.5 });
    for (let k = rng.int(3); k > 0; k--) layers.push(ELEMENTWISE[rng.int(ELEMENTWISE.length)]);
  }
  layers.push({ type: 'affine', units: 2 + rng.int(4), init: 'he', std: 0.5 });
  const loss = seed % 2 === 0 ? 'softmax-cross-entropy' : 'mse';
  return { config: modelSchema.parse({ layers, loss }), inputs: 2 + rng.int(6), rows: 1 + rng.int(6) };
}

s('40 random chains (depth, widths, every width-keeping layer kind, both losses) stay within 1e-3', () => {
  let max = 0;
  const losses = new Set<string>();
  const types = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const { config, inputs, rows } = randomChain(seed);
    losses.add(config.loss);
    config.layers.forEach((layer) => types.add(layer.type));
    max = Math.max(max, assertPasses(modelSubject(config, { seed, inputs, rows })));
  }
  assert.equal([...losses].sort(), ['mse', 'softmax-cross-entropy']);
  const widthKeeping = Object.keys(layerKinds).filter((type) => !IMAGE_KINDS.includes(type));
  assert.equal([...types].sort(), widthKeeping.sort(), 'the 40 chains use every width-keeping layer kind');
  console.log(`    worst relative error over 40 random chains: ${max.toExponential(2)}`);
});

s('ten seeded ReLU chains pass without a skipped element', () => {
  const config: ModelConfig = {
    layers: [
      { type: 'affine', units: 8, init: 'he', std: 0.01 },
      { type: 'relu' },
      { type: 'affine', units: 8, init: 'he', std: 0.01 },
      { type: 'relu' },
      { type: 'affine', units: 3, init: 'he', std: 0.01 },
    ],
    loss: 'softmax-cross-entropy',
  };
  for (let seed = 100; seed < 110; seed++) assertPasses(modelSubject(config, { seed, rows: 8, inputs: 6 }));
});

const shipped = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../data/configs/${name}`, import.meta.url), 'utf8'));

// A new layer kind fails here until a shipped config exercises it.
s('data/configs/gradcheck-chain.json and gradcheck-conv.json together use every layer type in the registry', () => {
  const layers = [shipped('gradcheck-chain.json'), shipped('gradcheck-conv.json')].flatMap((json) => json.model.layers);
  const types = new Set(layers.map((l: LayerConfig) => l.type));
  assert.equal([...types].sort(), Object.keys(layerKinds).sort());
});

for (const name of ['gradcheck-chain.json', 'gradcheck-conv.json']) {
  s(`data/configs/${name} (softmax-CE) passes`, () => {
    const { kind, subject } = subjectFromJson(shipped(name));
    assert.is(kind, 'model');
    assertPasses(subject);
  });
}

s('an mse config with every layer type, by their old names mul and add, passes (fixtures/mse-chain.json)', () => {
  const json = JSON.parse(readFileSync(new URL('./fixtures/mse-chain.json', import.meta.url), 'utf8'));
  assert.is(json.model.loss, 'mse');
  const types = json.model.layers.map((l: { type: string }) => l.type);
  assert.ok(types.includes('mul') && types.includes('add'));
  assertPasses(subjectFromJson(json).subject);
});

s('a run config with data/train/output sections is accepted; only model and seed matter', () => {
  const json = JSON.parse(readFileSync(new URL('./fixtures/mse-chain.json', import.meta.url), 'utf8'));
  const a = gradcheck(subjectFromJson(json).subject);
  const b = gradcheck(
    subjectFromJson({ ...json, data: { anything: true }, train: { epochs: 3 }, output: 'runs/x' }).subject,
  );
  assert.equal(a, b);
});

s('the check is deterministic: the same seed gives the same report', () => {
  const { config } = randomChain(3);
  assert.is(worst(gradcheck(modelSubject(config, { seed: 3 }))), worst(gradcheck(modelSubject(config, { seed: 3 }))));
});

s.run();
