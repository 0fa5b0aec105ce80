import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { MeanSquaredError, SoftmaxCrossEntropy } from '../../src/layers/losses.ts';
import { createArena } from '../kernels/wasm-compare.ts';
import { close, context, t } from './helpers.ts';

const s = suite('SoftmaxCrossEntropy and MeanSquaredError, by hand');

// Row 0: logits [0, ln 3] → softmax [1/4, 3/4]; target 1: loss −ln(3/4) = ln(4/3); grad [1/4, −1/4].
// Row 1: logits [ln 3, 0] → softmax [3/4, 1/4]; target 1: loss −ln(1/4) = ln 4;   grad [3/4, −3/4].
// Loss SUM = ln(4/3) + ln 4 = ln(16/3).
const logits = () => t([2, 2], [0, Math.log(3), Math.log(3), 0]);
const expectedGrad = [0.25, -0.25, 0.75, -0.75];

s('softmax-CE with class indices gives the loss sum and softmax − onehot', () => {
  const loss = new SoftmaxCrossEntropy(4, context);
  assert.ok(Math.abs(loss.forward(logits(), new Float32Array([1, 1])) - Math.log(16 / 3)) < 1e-6);
  close(loss.backward().data, expectedGrad);
});

s('softmax-CE with one-hot targets agrees with class indices', () => {
  const loss = new SoftmaxCrossEntropy(4, context);
  assert.ok(Math.abs(loss.forward(logits(), t([2, 2], [0, 1, 0, 1])) - Math.log(16 / 3)) < 1e-6);
  close(loss.backward().data, expectedGrad);
});

// softmax(0, ln 3) = [1/4, 3/4]; t = [0.1, 0.9]: loss 0.1·(ln 4 − 0) + 0.9·(ln 4 − ln 3); grad softmax − t.
s('softmax-CE with a smoothed label gives Σ t·(logsumexp − x) and softmax − t', () => {
  const loss = new SoftmaxCrossEntropy(2, context);
  const sum = loss.forward(t([1, 2], [0, Math.log(3)]), t([1, 2], [0.1, 0.9]));
  assert.ok(Math.abs(sum - (Math.log(4) - 0.9 * Math.log(3))) < 1e-6, `loss ${sum}`);
  close(loss.backward().data, [0.15, -0.15]);
});

s('softmax-CE on the wasm kernels: one-hot targets and class indices give the values by hand', () => {
  const arena = createArena(48);
  const onArena = { kernels: createWasmKernels(arena.memory), alloc: { floats: (n: number) => arena.take(n) } };
  const x = { shape: [2, 2], data: arena.take(4, logits().data) };
  const loss = new SoftmaxCrossEntropy(4, onArena);
  const oneHot = loss.forward(x, { shape: [2, 2], data: arena.take(4, [0, 1, 0, 1]) });
  assert.ok(Math.abs(oneHot - Math.log(16 / 3)) < 1e-6, `loss ${oneHot}`);
  close(loss.backward().data, expectedGrad);
  const indexed = loss.forward(x, arena.take(2, [1, 1]));
  assert.ok(Math.abs(indexed - Math.log(16 / 3)) < 1e-6, `loss ${indexed}`);
  close(loss.backward().data, expectedGrad);
});

// logits [1000, −1000]: logsumexp = 1000 + ln(1 + e^−2000) = 1000. Target 0: loss 0; target 1: 2000.
// Gradients softmax − onehot: [1 − 1, 0] = [0, 0] and [1, 0 − 1] = [1, −1].
s('softmax-CE stays finite for logits of ±1000, with either kind of target', () => {
  const loss = new SoftmaxCrossEntropy(4, context);
  const x = t([2, 2], [1000, -1000, 1000, -1000]);
  const indexed = loss.forward(x, new Float32Array([0, 1]));
  assert.ok(Math.abs(indexed - 2000) < 1e-3, `loss ${indexed}`);
  close(loss.backward().data, [0, 0, 1, -1]);
  const oneHot = loss.forward(x, t([2, 2], [1, 0, 0, 1]));
  assert.ok(Math.abs(oneHot - 2000) < 1e-3, `loss ${oneHot}`);
  assert.ok(Array.from(loss.backward().data).every(Number.isFinite));
});

// n equal logits: softmax is 1/n each, so each row's loss is −ln(1/n) = ln n. Two rows of 4: 2 ln 4.
s('softmax-CE of equal logits is ln n per row', () => {
  const loss = new SoftmaxCrossEntropy(8, context);
  const sum = loss.forward(t([2, 4], [7, 7, 7, 7, -3, -3, -3, -3]), new Float32Array([2, 0]));
  assert.ok(Math.abs(sum - 2 * Math.log(4)) < 1e-6);
  close(loss.backward().data, [0.25, 0.25, -0.75, 0.25, -0.75, 0.25, 0.25, 0.25]);
});

s('softmax-CE does not modify its logits', () => {
  const x = logits();
  const before = Array.from(x.data);
  new SoftmaxCrossEntropy(4, context).forward(x, new Float32Array([1, 1]));
  assert.equal(Array.from(x.data), before);
});

// y = [[1, 2], [0, 0]], t = [[0, 2], [1, 1]]: y − t = [1, 0, −1, −1];
// loss = ½(1 + 0 + 1 + 1) = 1.5; gradient y − t.
s('MSE gives ½‖y − t‖² summed over rows and y − t', () => {
  const loss = new MeanSquaredError(4, context);
  assert.is(loss.forward(t([2, 2], [1, 2, 0, 0]), t([2, 2], [0, 2, 1, 1])), 1.5);
  close(loss.backward().data, [1, 0, -1, -1]);
});

// Class index 0 means the row [1, 0]: y = [[0.5, 0.2]] → y − t = [−0.5, 0.2]; loss ½(0.25 + 0.04) = 0.145.
s('MSE with class indices compares against one-hot rows', () => {
  const loss = new MeanSquaredError(2, context);
  assert.ok(Math.abs(loss.forward(t([1, 2], [0.5, 0.2]), new Float32Array([0])) - 0.145) < 1e-7);
  close(loss.backward().data, [-0.5, 0.2]);
});

s('losses refuse too few targets or targets of another shape', () => {
  assert.throws(() => new SoftmaxCrossEntropy(4, context).forward(logits(), new Float32Array([1])), /targets/);
  assert.throws(() => new MeanSquaredError(4, context).forward(logits(), t([1, 2], [0, 1])), /shapes/);
});

// Weights [3, 0.5]: both rows are class 1, so loss ½·(ln(4/3) + ln 4) and gradient ½·[1/4, −1/4, 3/4, −3/4].
s('softmax-CE with class weights scales each row by its class weight, for indices and one-hot rows', () => {
  const loss = new SoftmaxCrossEntropy(4, context);
  const weights = Float32Array.of(3, 0.5);
  assert.ok(Math.abs(loss.forward(logits(), new Float32Array([1, 1]), weights) - 0.5 * Math.log(16 / 3)) < 1e-6);
  close(loss.backward().data, [0.125, -0.125, 0.375, -0.375]);
  assert.ok(Math.abs(loss.forward(logits(), t([2, 2], [0, 1, 0, 1]), weights) - 0.5 * Math.log(16 / 3)) < 1e-6);
  close(loss.backward().data, [0.125, -0.125, 0.375, -0.375]);
});

s('class weights: one per class, and only for softmax-CE', () => {
  const loss = new SoftmaxCrossEntropy(4, context);
  assert.throws(() => loss.forward(logits(), new Float32Array([1, 1]), Float32Array.of(1)), /2 classes but 1 class/);
  assert.throws(
    () => new MeanSquaredError(4, context).forward(logits(), new Float32Array([1, 1]), Float32Array.of(1, 1)),
    /class weights apply to softmax-cross-entropy only/,
  );
});

s('backward before forward throws', () => {
  assert.throws(
    () => new SoftmaxCrossEntropy(4, context).backward(),
    /SoftmaxCrossEntropy.backward called before forward/,
  );
  assert.throws(() => new MeanSquaredError(4, context).backward(), /MeanSquaredError.backward called before forward/);
});

s.run();
