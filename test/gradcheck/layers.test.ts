import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import { parseGraphSpec } from '../../src/graph/load.ts';
import { ReLU, Sigmoid, Tanh } from '../../src/layers/activations.ts';
import { Affine } from '../../src/layers/affine.ts';
import { Add, Mul } from '../../src/layers/elementwise.ts';
import { param, type Layer } from '../../src/layers/layer.ts';
import { MeanSquaredError, SoftmaxCrossEntropy } from '../../src/layers/losses.ts';
import { Bias, Scale } from '../../src/layers/scale-bias.ts';
import { graphSubject, layerSubject, lossSubject } from '../../src/gradcheck/subjects.ts';
import { createRng } from '../../src/random.ts';
import { tensor, type Allocator } from '../../src/tensor.ts';
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
