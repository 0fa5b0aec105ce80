import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseGraphSpec } from '../../src/graph/load.ts';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../../src/layers/activations.ts';
import { Affine } from '../../src/layers/affine.ts';
import { BatchNorm } from '../../src/layers/batch-norm.ts';
import { Dropout } from '../../src/layers/dropout.ts';
import { Add, Mul } from '../../src/layers/elementwise.ts';
import { Gelu } from '../../src/layers/gelu.ts';
import { param, type ForwardMode, type Layer } from '../../src/layers/layer.ts';
import { LayerNorm } from '../../src/layers/layer-norm.ts';
import { MeanSquaredError, SoftmaxCrossEntropy, type Loss } from '../../src/layers/losses.ts';
import { Bias, Scale } from '../../src/layers/scale-bias.ts';
import { graphSubject, layerSubject, lossSubject } from '../../src/gradcheck/subjects.ts';
import { createRng } from '../../src/random.ts';
import { heapAllocator, tensor, type Allocator } from '../../src/tensor.ts';
import { assertPasses, contextOf, randomTensor } from './helpers.ts';

const s = suite('gradcheck: every layer and loss within 1e-3');

const x = randomTensor([3, 4], 1);
const y = randomTensor([3, 4], 2);
const dout = randomTensor([3, 4], 3).data;

/** A layer with its parameters filled from a seed (the same values in both twins). */
function seeded<T extends Layer>(build: (alloc: Allocator) => T, seed: number): (alloc: Allocator) => T {
  return (alloc) => {
    const layer = build(alloc);
    const rng = createRng(seed);
    for (const p of layer.params) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal();
    return layer;
  };
}

const elementwise: Array<[string, (alloc: Allocator) => Layer, number]> = [
  ['Mul', (alloc) => new Mul(12, contextOf(alloc)), 2],
  ['Add', (alloc) => new Add(12, contextOf(alloc)), 2],
  ['ReLU', (alloc) => new ReLU(12, contextOf(alloc)), 1],
  ['Sigmoid', (alloc) => new Sigmoid(12, contextOf(alloc)), 1],
  ['Tanh', (alloc) => new Tanh(12, contextOf(alloc)), 1],
  ['LeakyReLU', (alloc) => new LeakyReLU(12, contextOf(alloc), 0.1), 1],
  ['Gelu (exact)', (alloc) => new Gelu(12, contextOf(alloc)), 1],
  ['Gelu (tanh)', (alloc) => new Gelu(12, contextOf(alloc), 'tanh'), 1],
];
for (const [name, build, arity] of elementwise) {
  s(`${name}: gradients of its input${arity > 1 ? 's' : ''}`, () => {
    assertPasses(layerSubject(name, build, arity === 2 ? [x, y] : [x], dout));
  });
}

s('Mul(x, x): the accumulated gradient 2x', () => {
  assertPasses(layerSubject('Mul', (alloc) => new Mul(12, contextOf(alloc)), [x, x], dout));
});

for (const inputGradient of [true, false]) {
  s(`Affine (inputGradient ${inputGradient}): weight, bias${inputGradient ? ' and input' : ''}`, () => {
    const build = seeded(
      (alloc) =>
        new Affine(4, 5, param('weight', [4, 5], alloc), param('bias', [5], alloc), 3, contextOf(alloc), inputGradient),
      4,
    );
    const subject = layerSubject('Affine', build, [x], randomTensor([3, 5], 5).data);
    if (inputGradient) assertPasses(subject);
    else assertPasses({ ...subject, tensors: subject.tensors.slice(1) }); // no dx to compare
  });
}

s('Scale and Bias: parameter and input gradients', () => {
  assertPasses(
    layerSubject(
      'Scale',
      seeded((alloc) => new Scale(4, param('scale', [4], alloc), 3, contextOf(alloc)), 6),
      [x],
      dout,
    ),
  );
  assertPasses(
    layerSubject(
      'Bias',
      seeded((alloc) => new Bias(4, param('bias', [4], alloc), 3, contextOf(alloc)), 7),
      [x],
      dout,
    ),
  );
});

s('LayerNorm: gamma, beta and the input (rows coupled through their mean and variance)', () => {
  const build = seeded(
    (alloc) => new LayerNorm(4, param('gamma', [4], alloc), param('beta', [4], alloc), 1e-5, 3, contextOf(alloc)),
    11,
  );
  assertPasses(layerSubject('LayerNorm', build, [x], dout));
});

const trainingMode: ForwardMode = { pass: { seed: 3, step: 5, samples: Uint32Array.of(4, 8, 15), first: 0 } };

s('Dropout in a training pass (a fixed mask: the same pass in both twins)', () => {
  const build = (alloc: Allocator) => new Dropout(4, 0.5, 1, 3, contextOf(alloc), trainingMode);
  const dropped = Array.from(build(heapAllocator).forward(x).data).filter((v) => v === 0).length;
  assert.ok(dropped > 0 && dropped < 12, `${dropped} of 12 dropped: the mask must be a real one`);
  assertPasses(layerSubject('Dropout', build, [x], dout));
});

for (const mode of ['training', 'evaluation'] as const) {
  s(`BatchNorm in ${mode}: gamma, beta and the input`, () => {
    const build = seeded((alloc) => {
      // Running statistics away from 0 and 1, so that evaluation is not the training map in disguise.
      const running = { mean: Float32Array.of(0.3, -0.2, 0.1, 0), variance: Float32Array.of(0.5, 2, 1.5, 0.8) };
      const options = { momentum: 0.9, epsilon: 1e-5 };
      const gamma = param('gamma', [4], alloc);
      const beta = param('beta', [4], alloc);
      const forwardMode = mode === 'training' ? trainingMode : { pass: null };
      return new BatchNorm(4, gamma, beta, running, options, 3, contextOf(alloc), forwardMode);
    }, 12);
    assertPasses(layerSubject('BatchNorm', build, [x], dout));
  });
}

/** A loss with class weights bound, as the model applies them in a training pass. */
const weighted = (weights: Float32Array) => (alloc: Allocator) => {
  const loss = new SoftmaxCrossEntropy(12, contextOf(alloc));
  return { forward: (o, t) => loss.forward(o, t, weights), backward: () => loss.backward() } satisfies Loss;
};

s('SoftmaxCrossEntropy with class weights, class indices and one-hot targets', () => {
  const logits = randomTensor([3, 4], 13);
  const weights = Float32Array.of(0.5, 2, 1, 3);
  assertPasses(lossSubject('logits', weighted(weights), logits, new Float32Array([0, 3, 1])));
  assertPasses(lossSubject('logits', weighted(weights), logits, randomDistribution()));
});

/** Rows of a soft target (non-negative, summing to 1). */
function randomDistribution() {
  const rng = createRng(14);
  const t = Float32Array.from({ length: 12 }, () => rng.next());
  for (let i = 0; i < 3; i++) {
    const row = t.subarray(4 * i, 4 * i + 4);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => (row[j] = v / sum));
  }
  return tensor([3, 4], t);
}

s('SoftmaxCrossEntropy with class indices and with one-hot targets', () => {
  const logits = randomTensor([3, 4], 8);
  const build = (alloc: Allocator) => new SoftmaxCrossEntropy(12, contextOf(alloc));
  assertPasses(lossSubject('logits', build, logits, new Float32Array([0, 3, 1])));
  assertPasses(lossSubject('logits', build, logits, tensor([3, 4], [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0])));
});

s('SoftmaxCrossEntropy on large logits (±30)', () => {
  const logits = tensor([2, 3], [30, -30, 10, -25, 28, 29]);
  assertPasses(
    lossSubject('logits', (alloc) => new SoftmaxCrossEntropy(6, contextOf(alloc)), logits, new Float32Array([2, 0])),
  );
});

s('MeanSquaredError with dense and class-index targets', () => {
  const build = (alloc: Allocator) => new MeanSquaredError(12, contextOf(alloc));
  assertPasses(lossSubject('output', build, randomTensor([3, 4], 9), randomTensor([3, 4], 10)));
  assertPasses(lossSubject('output', build, randomTensor([3, 4], 9), new Float32Array([1, 2, 3])));
});

for (const file of ['apple-orange', 'relu-sigmoid']) {
  s(`graph spec data/graphs/${file}.json: every input`, () => {
    const spec = parseGraphSpec(
      JSON.parse(readFileSync(new URL(`../../data/graphs/${file}.json`, import.meta.url), 'utf8')),
    );
    assertPasses(graphSubject(spec));
  });
}

s.run();
