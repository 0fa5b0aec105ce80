import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchNorm } from '../../src/layers/batch-norm.ts';
import { param, type ForwardMode } from '../../src/layers/layer.ts';
import { heapAllocator } from '../../src/tensor.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('BatchNorm on one chunk (the whole batch), by hand');

const training: ForwardMode = { pass: { seed: 0, step: 0, samples: Uint32Array.of(0, 1, 2), first: 0 } };
const evaluation: ForwardMode = { pass: null };

/** γ = [2, −1], β = [0.5, 1], running statistics mean 0, variance 1, momentum 0.9, ε = 1/3. */
function batchNorm(mode: ForwardMode) {
  const gamma = param('gamma', [2], heapAllocator);
  const beta = param('beta', [2], heapAllocator);
  gamma.value.set([2, -1]);
  beta.value.set([0.5, 1]);
  const running = { mean: Float32Array.of(0, 0), variance: Float32Array.of(1, 1) };
  const layer = new BatchNorm(2, gamma, beta, running, { momentum: 0.9, epsilon: 1 / 3 }, 3, context, mode);
  return { layer, running };
}

// x = [[1, 6], [2, 11], [3, 13]], per feature over the 3 rows:
//   feature 0: μ = 2, σ² = 2/3, σ² + ε = 1:    x̂ = [−1, 0, 1],       y = 2x̂ + 0.5 = [−1.5, 0.5, 2.5]
//   feature 1: μ = 10, σ² = 26/3, σ² + ε = 9: x̂ = [−4/3, 1/3, 1],   y = −x̂ + 1   = [7/3, 2/3, 0]
const x = () => t([3, 2], [1, 6, 2, 11, 3, 13]);

s('training: normalizes each feature over the batch, then γ and β', () => {
  close(batchNorm(training).layer.forward(x()).data, [-1.5, 7 / 3, 0.5, 2 / 3, 2.5, 0]);
});

// running ← 0.9·running + 0.1·batch: mean [0.2, 1.0], variance [0.9 + 0.1·2/3, 0.9 + 0.1·26/3].
s('training moves the running statistics by momentum toward the batch mean and (biased) variance', () => {
  const { layer, running } = batchNorm(training);
  layer.forward(x());
  close(running.mean, [0.2, 1]);
  close(running.variance, [0.9 + 0.2 / 3, 0.9 + 2.6 / 3]);
});

// dout = [[1, 0], [0, 1], [2, 3]]; dx = γ/(N·σ)·(N·dout − Σdout − x̂·Σ dout·x̂), N = 3.
//   feature 0: Σdout = 3, Σdout·x̂ = −1 + 2 = 1: dx = 2/3·([3, 0, 6] − 3 − [−1, 0, 1]) = [2/3, −2, 4/3]
//   feature 1: Σdout = 4, Σdout·x̂ = 1/3 + 3 = 10/3:
//     dx = −1/9·([0, 3, 9] − 4 − 10/3·[−4/3, 1/3, 1]) = −1/9·[4/9, −19/9, 15/9] = [−4/81, 19/81, −15/81]
//   dγ = Σ dout·x̂ = [1, 10/3], dβ = Σ dout = [3, 4]; each feature's dx sums to 0.
s('training backward couples the rows through the batch statistics', () => {
  const { layer } = batchNorm(training);
  layer.forward(x());
  const [dx] = backwardKeepsDout((d) => layer.backward(d), t([3, 2], [1, 0, 0, 1, 2, 3]));
  close(dx.data, [2 / 3, -4 / 81, -2, 19 / 81, 4 / 3, -15 / 81]);
  close(layer.gamma.grad, [1, 10 / 3]);
  close(layer.beta.grad, [3, 4]);
});

s('evaluation uses the running statistics: set to the batch statistics, it reproduces the training output', () => {
  const { layer, running } = batchNorm(evaluation);
  running.mean.set([2, 10]);
  running.variance.set([2 / 3, 26 / 3]);
  close(layer.forward(x()).data, [-1.5, 7 / 3, 0.5, 2 / 3, 2.5, 0]);
  close(running.mean, [2, 10]); // evaluation leaves them alone
});

// With running mean 0, variance 1 − ε = 2/3 (so 1/σ = 1): y = γ·x + β, row by row; dx = dout·γ.
s('evaluation is a fixed per-feature affine map: rows are independent, dx = dout·γ/σ', () => {
  const { layer, running } = batchNorm(evaluation);
  running.variance.set([2 / 3, 2 / 3]);
  close(layer.forward(t([1, 2], [1, 6])).data, [2.5, -5]);
  const [dx] = layer.backward(t([1, 2], [1, 3]));
  close(dx.data, [2, -3]);
  close(layer.gamma.grad, [1, 18]);
  close(layer.beta.grad, [1, 3]);
});

s('backward before forward and a wrong width throw', () => {
  assert.throws(() => batchNorm(training).layer.backward(t([1, 2], [1, 1])), /BatchNorm.backward called before/);
  assert.throws(() => batchNorm(training).layer.forward(t([1, 3], [1, 2, 3])), /expected 2 features per row/);
});

s.run();
