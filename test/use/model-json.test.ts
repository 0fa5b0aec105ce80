import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { encodeSafetensors, parseSafetensors, weightsMetadata } from '../../src/io/safetensors.ts';
import { loadModel } from '../../src/use/load.ts';
import { readModelDescription } from '../../src/use/model-json.ts';
import { handMadeRun, tempDir, userErrorOf } from './helpers.ts';

/** model.json says what the model is; loadModel rebuilds it from that and the weights alone. */
const s = suite('model.json and loading');
const root = tempDir();

/** 2 features → per-feature scale → affine 3 → relu → affine 2. */
const config: RunConfigInput = {
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 20 },
  model: {
    layers: [{ type: 'scale' }, { type: 'affine', units: 3 }, { type: 'relu' }, { type: 'affine', units: 2 }],
  },
  train: {},
  parallel: { kernels: 'wasm' },
};
const weights = {
  'layers.0.scale': [2, -1],
  'layers.1.weight': [1, 0, 1, 0, 1, 1], // [in 2, out 3]: row k holds input k's weight to each unit
  'layers.1.bias': [0, 0, -1],
  'layers.3.weight': [1, 0, 0, 1, 1, 1], // [3, 2]
  'layers.3.bias': [0.5, 0],
};
const data = { features: 2, classes: 2, train: { inputs: Float32Array.from([-1, 0, 3, 2]) } };
let serial = 0;
const fresh = () => {
  const dir = join(root, `run-${serial++}`);
  handMadeRun(dir, config, data, weights);
  return dir;
};

s('describes every layer, its shapes and tensors, the layout, loss, classes, preprocessing and input range', () => {
  const description = readModelDescription(join(fresh(), 'model.json'));
  assert.equal(description, {
    format: 'shardprop-model',
    version: 1,
    task: 'classification',
    input: { features: 2, shape: [2] },
    outputs: 2,
    classes: null,
    loss: 'softmax-cross-entropy',
    preprocessing: null,
    inputRange: { min: -1, max: 3 },
    weights: { file: 'model.safetensors', dtype: 'F32', layout: 'in,out' },
    kernels: 'wasm',
    layers: [
      {
        type: 'scale',
        config: { type: 'scale' },
        inputShape: [2],
        outputShape: [2],
        params: [{ name: 'layers.0.scale', shape: [2] }],
      },
      {
        type: 'affine',
        config: { type: 'affine', units: 3, init: 'he', std: 0.01 },
        inputShape: [2],
        outputShape: [3],
        params: [
          { name: 'layers.1.weight', shape: [2, 3] },
          { name: 'layers.1.bias', shape: [3] },
        ],
      },
      { type: 'relu', config: { type: 'relu' }, inputShape: [3], outputShape: [3], params: [] },
      {
        type: 'affine',
        config: { type: 'affine', units: 2, init: 'he', std: 0.01 },
        inputShape: [3],
        outputShape: [2],
        params: [
          { name: 'layers.3.weight', shape: [3, 2] },
          { name: 'layers.3.bias', shape: [2] },
        ],
      },
    ],
  });
});

s('a loaded model computes y = relu((x ⊙ s)·W1 + b1)·W2 + b2 with W as [in, out]', () => {
  // x = [1, 2]: x ⊙ s = [2, −2]; ·W1 + b1 = [2, −2, −1]; relu = [2, 0, 0]; ·W2 + b2 = [2.5, 0].
  // x = [0, −1]: x ⊙ s = [0, 1]; ·W1 + b1 = [0, 1, 0]; relu the same; ·W2 + b2 = [0.5, 1].
  const model = loadModel(fresh());
  assert.equal(
    Array.from(
      model.forward([
        [1, 2],
        [0, -1],
      ]),
    ),
    [2.5, 0, 0.5, 1],
  );
  assert.equal(
    Array.from(
      model.predict([
        [1, 2],
        [0, -1],
      ]),
    ),
    [0, 1],
  );
});

s('the weights file says its layout in its metadata', () => {
  const { metadata } = parseSafetensors(readFileSync(join(fresh(), 'model.safetensors')));
  assert.equal(metadata, { format: 'shardprop', layout: 'in,out', epoch: '1' });
});

const errorOf = async (change: (dir: string) => void) => {
  const dir = fresh();
  change(dir);
  return (await userErrorOf(() => loadModel(dir))).message;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test edits arbitrary fields of the JSON
const editJson = (dir: string, edit: (json: Record<string, any>) => void) => {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
};
const writeWeights = (dir: string, tensors: Record<string, { shape: number[]; data: number[] }>, layout?: string) =>
  writeFileSync(
    join(dir, 'model.safetensors'),
    encodeSafetensors(
      Object.fromEntries(
        Object.entries(tensors).map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }]),
      ),
      layout ? { format: 'pt', layout } : weightsMetadata(1),
    ),
  );
const allWeights = () =>
  Object.fromEntries(
    Object.entries(weights).map(([name, data]) => [
      name,
      {
        shape:
          name.endsWith('scale') || name.endsWith('bias')
            ? [data.length]
            : name.startsWith('layers.1')
              ? [2, 3]
              : [3, 2],
        data,
      },
    ]),
  );

s('no directory, no model.json, a model.json of a newer shardprop: one line each, naming the path', async () => {
  assert.match((await userErrorOf(() => loadModel(join(root, 'missing')))).message, 'run directory not found → at');
  assert.match(await errorOf((dir) => rmSync(join(dir, 'model.json'))), /✖ no model\.json: .* → at .*run-\d+$/);
  const newer = await errorOf((dir) => editJson(dir, (json) => (json.version = 2)));
  assert.match(newer, 'written by a newer shardprop (model.json version 2)');
  const invalid = await errorOf((dir) => writeFileSync(join(dir, 'model.json'), '{"format": '));
  assert.match(invalid, /model description is not valid JSON.* → at .*model\.json$/);
});

s('a model.json that contradicts itself names the field', async () => {
  const shape = await errorOf((dir) => editJson(dir, (json) => (json.layers[1].outputShape = [4])));
  assert.match(shape, /\[4\], the layer gives \[3\] → at .*model\.json layers\.1\.outputShape/);
  const unknown = await errorOf((dir) => editJson(dir, (json) => (json.extra = 1)));
  assert.match(unknown, /✖ model description: .*"extra".* → at .*model\.json/);
  const layout = await errorOf((dir) => editJson(dir, (json) => (json.weights.layout = 'out,in')));
  assert.match(layout, /model\.json weights\.layout/);
});

s('a model.json whose layers do not give the shapes and tensors it states names the field', async () => {
  const features = await errorOf((dir) => editJson(dir, (json) => (json.input.features = 3)));
  assert.match(features, /✖ input shape \[2\] has 2 features → at .*model\.json input\.features$/);
  const type = await errorOf((dir) => editJson(dir, (json) => (json.layers[2].type = 'tanh')));
  assert.match(type, /✖ type tanh but config\.type relu → at .*model\.json layers\.2\.type$/);
  const input = await errorOf((dir) => editJson(dir, (json) => (json.layers[2].inputShape = [4])));
  assert.match(input, /✖ \[4\], the layers give \[3\] → at .*model\.json layers\.2\.inputShape$/);
  const renamed = await errorOf((dir) => editJson(dir, (json) => (json.layers[1].params[1].name = 'layers.1.b')));
  assert.match(
    renamed,
    '✖ layers.1.weight [2,3], layers.1.b [3], the layer has layers.1.weight [2,3], layers.1.bias [3] → at',
  );
  const added = await errorOf((dir) =>
    editJson(dir, (json) => (json.layers[2].params = [{ name: 'layers.2.slope', shape: [3] }])),
  );
  assert.match(added, /✖ layers\.2\.slope \[3\], the layer has none → at .*model\.json layers\.2\.params$/);
  const outputs = await errorOf((dir) => editJson(dir, (json) => (json.outputs = 5)));
  assert.match(outputs, /✖ 5, the layers give 2 → at .*model\.json outputs$/);
});

s('evaluating a classifier on data that does not fit it names the field', async () => {
  const model = loadModel(fresh());
  const rows = [
    [1, 2],
    [0, -1],
  ];
  const messageOf = async (data: Parameters<typeof model.evaluate>[0]) =>
    (await userErrorOf(() => model.evaluate(data))).message;
  assert.is(
    await messageOf({ rows, targets: [0.5, 1] }),
    '✖ a classifier is evaluated on labels (class indices or names), not targets → at targets',
  );
  assert.is(await messageOf({ rows, labels: [0] }), '✖ 1 labels for 2 rows → at labels');
  const split = { inputs: Float32Array.from([1, 2, 3, 4, 5, 6]), targets: Float32Array.from([0, 1]), count: 2 };
  assert.is(await messageOf(split), "✖ the split's rows have 3 features, the model takes 2 → at inputs");
  assert.is(await messageOf({ test: null }), '✖ the dataset has no test split to evaluate → at test');
  // The rows above are classes 0 and 1 (logits [2.5, 0] and [0.5, 1]): both right.
  const evaluation = model.evaluate({ rows, labels: [0, 1] });
  assert.is(evaluation.task === 'classification' && evaluation.correct, 2);
});

s(
  'weights that do not fit model.json: wrong shape, missing, extra, another layout, non-finite, truncated',
  async () => {
    const wrong = await errorOf((dir) =>
      writeWeights(dir, { ...allWeights(), 'layers.1.weight': { shape: [3, 2], data: [1, 0, 1, 0, 1, 1] } }),
    );
    assert.match(
      wrong,
      /✖ model weights: layers\.1\.weight has shape \[3,2\], model\.json says \[2,3\] → at .*model\.safetensors$/,
    );
    const { 'layers.3.bias': _, ...withoutBias } = allWeights();
    assert.match(await errorOf((dir) => writeWeights(dir, withoutBias)), 'no tensor layers.3.bias');
    const extra = await errorOf((dir) =>
      writeWeights(dir, { ...allWeights(), 'layers.9.weight': { shape: [1], data: [0] } }),
    );
    assert.match(extra, 'tensors model.json does not describe: layers.9.weight');
    const torch = await errorOf((dir) => writeWeights(dir, allWeights(), 'out,in'));
    assert.match(torch, 'weights in layout "out,in" (an export for another framework?)');
    const nan = await errorOf((dir) =>
      writeWeights(dir, { ...allWeights(), 'layers.1.bias': { shape: [3], data: [0, NaN, 0] } }),
    );
    assert.match(nan, 'layers.1.bias[1] is NaN');
    const cut = await errorOf((dir) => {
      const bytes = readFileSync(join(dir, 'model.safetensors'));
      writeFileSync(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 4));
    });
    assert.match(
      cut,
      /layers\.3\.bias's data_offsets are not inside the file's \d+ data bytes → at .*model\.safetensors/,
    );
    assert.match(
      await errorOf((dir) => rmSync(join(dir, 'model.safetensors'))),
      'not there (has the run finished an epoch?)',
    );
  },
);

s.run();
