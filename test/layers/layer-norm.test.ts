import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { param } from '../../src/layers/layer.ts';
import { LayerNorm } from '../../src/layers/layer-norm.ts';
import { heapAllocator } from '../../src/tensor.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('LayerNorm, by hand');

/** γ = [2, −1, 0.5], β = [0, 1, 0], ε = 1/3 (so that the numbers below come out round). */
function layerNorm(epsilon = 1 / 3): LayerNorm {
  const gamma = param('gamma', [3], heapAllocator);
  const beta = param('beta', [3], heapAllocator);
  gamma.value.set([2, -1, 0.5]);
  beta.value.set([0, 1, 0]);
  return new LayerNorm(3, gamma, beta, epsilon, 2, context);
}

// Row 1 = [1, 2, 3]: μ = 2, σ² = 2/3, σ² + ε = 1: x̂ = [−1, 0, 1]; y = γx̂ + β = [−2, 1, 0.5].
// Row 2 = [6, 11, 13]: μ = 10, σ² = (16 + 1 + 9)/3 = 26/3, + 1/3 = 9, 1/σ = 1/3: x̂ = [−4/3, 1/3, 1];
//   y = [−8/3, −1/3 + 1, 0.5] = [−8/3, 2/3, 0.5].
s('normalizes each row over its features, then scales by γ and shifts by β', () => {
  const layer = layerNorm();
  close(layer.forward(t([2, 3], [1, 2, 3, 6, 11, 13])).data, [-2, 1, 0.5, -8 / 3, 2 / 3, 0.5]);
});

// dx = 1/(D·σ) · (D·g − Σg − x̂·Σ g·x̂), g = dout ⊙ γ, D = 3.
// Row 1, dout [1, 0, 2]: g = [2, 0, 1], Σg = 3, Σg·x̂ = −2 + 1 = −1, 1/σ = 1:
//   dx = ⅓·([6, 0, 3] − 3 + [−1, 0, 1]) = [2/3, −1, 1/3].
// Row 2, dout [0, 3, 1]: g = [0, −3, 0.5], Σg = −2.5, Σg·x̂ = −1 + 0.5 = −0.5, 1/σ = 1/3:
//   dx = 1/9·([0, −9, 1.5] + 2.5 + 0.5·[−4/3, 1/3, 1]) = [11/54, −38/54, 27/54].
// dγ = Σ_rows dout ⊙ x̂ = [−1, 0, 2] + [0, 1, 1] = [−1, 1, 3]; dβ = Σ_rows dout = [1, 3, 3].
s('backward: dx by the formula, dγ = Σ dout ⊙ x̂, dβ = Σ dout; each dx row sums to 0', () => {
  const layer = layerNorm();
  layer.forward(t([2, 3], [1, 2, 3, 6, 11, 13]));
  const [dx] = backwardKeepsDout((d) => layer.backward(d), t([2, 3], [1, 0, 2, 0, 3, 1]));
  close(dx.data, [2 / 3, -1, 1 / 3, 11 / 54, -38 / 54, 27 / 54]);
  close(layer.gamma.grad, [-1, 1, 3]);
  close(layer.beta.grad, [1, 3, 3]);
});

s('a row shifted or scaled gives the same x̂ (ε aside): rows are normalized independently', () => {
  const layer = layerNorm(1e-5);
  const y = Array.from(layer.forward(t([2, 3], [1, 2, 4, 1001, 1002, 1004])).data);
  close(y.slice(3), y.slice(0, 3), 1e-5);
  const scaled = Array.from(layerNorm(1e-5).forward(t([1, 3], [10, 20, 40])).data);
  close(scaled, y.slice(0, 3), 1e-5);
});

s('a constant row normalizes to β (x̂ = 0, no division by zero)', () => {
  close(layerNorm(1e-5).forward(t([1, 3], [5, 5, 5])).data, [0, 1, 0]);
});

s('parameter gradients are overwritten, not accumulated; backward before forward throws', () => {
  const layer = layerNorm();
  layer.forward(t([2, 3], [1, 2, 3, 6, 11, 13]));
  layer.backward(t([2, 3], [1, 0, 2, 0, 3, 1]));
  layer.backward(t([2, 3], [1, 0, 2, 0, 3, 1]));
  close(layer.gamma.grad, [-1, 1, 3]);
  assert.throws(() => layerNorm().backward(t([1, 3], [1, 1, 1])), /LayerNorm.backward called before forward/);
  assert.throws(() => layerNorm().forward(t([1, 2], [1, 1])), /LayerNorm: expected 3 features per row/);
});

s.run();
