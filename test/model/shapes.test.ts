import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelSchema } from '../../src/config/model-schema.ts';
import { UserError } from '../../src/errors.ts';
import { planModel } from '../../src/model/plan.ts';

const s = suite('model plan: per-layer shapes of image layers, and inputs they cannot take');

const plan = (layers: unknown[], input: number | number[]) => planModel(modelSchema.parse({ layers }), input);

/** The plan's error for these layers, or a failure if it plans. */
function refusal(layers: unknown[], input: number | number[]): UserError {
  try {
    plan(layers, input);
  } catch (error) {
    assert.instance(error, UserError);
    return error as UserError;
  }
  return assert.unreachable('planned a model whose shapes do not fit') as never;
}

s("the book's SimpleConvNet: [1, 28, 28] → [30, 24, 24] → [30, 12, 12] → [100] → [10]", () => {
  const p = plan(
    [
      { type: 'conv2d', filters: 30, kernel: 5 },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'affine', units: 100 },
      { type: 'relu' },
      { type: 'affine', units: 10 },
    ],
    [1, 28, 28],
  );
  assert.equal(p.shapes, [[30, 24, 24], [30, 24, 24], [30, 12, 12], [100], [100], [10]]);
  assert.equal(
    p.params.map((q) => [q.name, q.shape]),
    [
      ['layers.0.weight', [30, 1, 5, 5]],
      ['layers.0.bias', [30]],
      ['layers.3.weight', [4320, 100]],
      ['layers.3.bias', [100]],
      ['layers.5.weight', [100, 10]],
      ['layers.5.bias', [10]],
    ],
  );
  // he: N(0, 2 / fan-in), fan-in = channels·kh·kw = 25
  assert.equal(p.params[0].init, { kind: 'normal', std: Math.sqrt(2 / 25) });
});

s('stride, padding and non-square sizes: ⌊(n + 2p − k) / s⌋ + 1 per axis; pool stride defaults to its size', () => {
  const p = plan(
    [
      { type: 'conv2d', filters: 4, kernel: [3, 2], stride: [2, 1], padding: [1, 0] },
      { type: 'avgpool', size: [2, 3], stride: 1 },
      { type: 'maxpool', size: 2 },
      { type: 'flatten' },
    ],
    [3, 9, 8],
  );
  // conv: ⌊(9 + 2 − 3)/2⌋ + 1 = 5, ⌊(8 − 2)/1⌋ + 1 = 7; avgpool: 4, 5; maxpool (stride 2): 2, 2
  assert.equal(p.shapes, [[4, 5, 7], [4, 4, 5], [4, 2, 2], [16]]);
});

s('a conv on flat rows names the layer, both shapes and data.shape', () => {
  const error = refusal([{ type: 'conv2d', filters: 2, kernel: 3 }], 784);
  assert.match(error.message, 'model.layers[0] (conv2d) gets [784] from the data');
  assert.match(error.message, 'conv2d takes [channels, height, width] images');
  assert.match(error.message, 'data.shape');
  assert.match(error.message, '→ at model.layers[0]');
});

s('a pool after flatten names it and the layer before it', () => {
  const error = refusal([{ type: 'flatten' }, { type: 'maxpool', size: 2 }], [2, 4, 4]);
  assert.match(error.message, 'model.layers[1] (maxpool) gets [32] from model.layers[0] (flatten)');
  assert.match(error.message, '→ at model.layers[1]');
});

s('a window larger than the (padded) image is refused with both sizes', () => {
  const error = refusal(
    [
      { type: 'conv2d', filters: 2, kernel: 3 },
      { type: 'maxpool', size: 2 },
      { type: 'conv2d', filters: 2, kernel: [6, 1], padding: 1 },
    ],
    [1, 8, 8],
  );
  assert.match(error.message, 'model.layers[2] (conv2d) gets [2, 3, 3] from model.layers[1] (maxpool)');
  assert.match(error.message, "conv2d's 6×1 window needs images of at least that size padded by 1×1");
});

s('kernel, stride and padding are checked by the schema: whole, positive (padding ≥ 0), one or two numbers', () => {
  for (const bad of [
    { kernel: 0 },
    { kernel: [3, 3, 3] },
    { kernel: 2.5 },
    { kernel: 3, stride: 0 },
    { kernel: 3, padding: -1 },
  ]) {
    const result = modelSchema.safeParse({ layers: [{ type: 'conv2d', filters: 2, ...bad }] });
    assert.not.ok(result.success, JSON.stringify(bad));
  }
});

s('a size of neither form says which forms are taken and what it got, not zod\'s bare "Invalid input"', () => {
  for (const [kernel, got] of [
    [[3, 3, 3], '[3,3,3]'],
    ['3', '"3"'],
    [2.5, '2.5'],
  ] as const) {
    const result = modelSchema.safeParse({ layers: [{ type: 'conv2d', filters: 2, kernel }] });
    assert.equal(
      result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
      [['layers.0.kernel', `expected a whole number from 1 to 65536 or [height, width] of two, got ${got}`]],
    );
  }
  const stride = modelSchema.safeParse({ layers: [{ type: 'maxpool', size: 2, stride: [1] }] });
  assert.match(stride.error!.issues[0].message, 'expected a whole number from 1 to 65536 or [height, width] of two');
});

s.run();
