import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../../src/layers/activations.ts';
import type { Layer } from '../../src/layers/layer.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('ReLU, Sigmoid and Tanh layers, by hand');

// x = [−2, 0, 3]: y = [0, 0, 3]. dout = [5, 6, 7]: dx = [0, 0, 7]; at x = 0 the derivative is 0.
s('ReLU clips negatives and passes dout only where x > 0 (x = 0 gives 0)', () => {
  const relu = new ReLU(3, context);
  close(relu.forward(t([3], [-2, 0, 3])).data, [0, 0, 3]);
  const [dx] = backwardKeepsDout((d) => relu.backward(d), t([3], [5, 6, 7]));
  close(dx.data, [0, 0, 7]);
});

s('ReLU reports the piece each input of the last forward fell in (x > 0); smooth layers have no region', () => {
  const relu = new ReLU(4, context);
  assert.throws(() => relu.region(), /ReLU.region called before forward/);
  relu.forward(t([4], [-2, 0, 3, 1e-30]));
  assert.equal(Array.from(relu.region()), [0, 0, 1, 1]);
  const smooth: Layer[] = [new Sigmoid(2, context), new Tanh(2, context)];
  assert.ok(smooth.every((layer) => layer.region === undefined));
});

// α = 0.1, x = [−2, 0, 3]: y = [−0.2, 0, 3]. dout = [5, 6, 7]: dx = [0.5, 0.6, 7] (slope α at 0, as PyTorch).
s('LeakyReLU scales negatives by α, and dout by α where x ≤ 0', () => {
  const leaky = new LeakyReLU(3, context, 0.1);
  close(leaky.forward(t([3], [-2, 0, 3])).data, [-0.2, 0, 3]);
  const [dx] = backwardKeepsDout((d) => leaky.backward(d), t([3], [5, 6, 7]));
  close(dx.data, [0.5, 0.6, 7]);
  assert.equal(Array.from(leaky.region()), [0, 0, 1]);
});

s('LeakyReLU with α = 0 is ReLU; with α = 1 the identity', () => {
  const x = t([4], [-3, -0.5, 0.5, 2]);
  close(new LeakyReLU(4, context, 0).forward(x).data, [0, 0, 0.5, 2]);
  close(new LeakyReLU(4, context, 1).forward(x).data, [-3, -0.5, 0.5, 2]);
});

// x = [0, ln 3]: σ(0) = 1/2, σ(ln 3) = 1/(1 + 1/3) = 3/4.
// dout = [1, 2]: dx = dout·y·(1 − y) = [1·½·½, 2·¾·¼] = [0.25, 0.375].
s('Sigmoid gives 1/(1+e^−x) and dout·y·(1 − y)', () => {
  const sigmoid = new Sigmoid(2, context);
  close(sigmoid.forward(t([2], [0, Math.log(3)])).data, [0.5, 0.75]);
  const [dx] = backwardKeepsDout((d) => sigmoid.backward(d), t([2], [1, 2]));
  close(dx.data, [0.25, 0.375]);
});

// x = [0, ln 2]: tanh(0) = 0, tanh(ln 2) = (2 − ½)/(2 + ½) = 0.6.
// dout = [3, 1]: dx = dout·(1 − y²) = [3, 1 − 0.36] = [3, 0.64].
s('Tanh gives tanh(x) and dout·(1 − y²)', () => {
  const tanh = new Tanh(2, context);
  close(tanh.forward(t([2], [0, Math.log(2)])).data, [0, 0.6]);
  const [dx] = backwardKeepsDout((d) => tanh.backward(d), t([2], [3, 1]));
  close(dx.data, [3, 0.64]);
});

// Sigmoid saturates without NaN: σ(−1000) = 0, σ(1000) = 1, both with gradient 0.
s('Sigmoid and Tanh stay finite at ±1000', () => {
  const sigmoid = new Sigmoid(2, context);
  close(sigmoid.forward(t([2], [-1000, 1000])).data, [0, 1]);
  close(sigmoid.backward(t([2], [1, 1])).at(0)!.data, [0, 0]);
  const tanh = new Tanh(2, context);
  close(tanh.forward(t([2], [-1000, 1000])).data, [-1, 1]);
});

s('the output keeps the input shape', () => {
  const y = new ReLU(6, context).forward(t([2, 3], [1, 2, 3, 4, 5, 6]));
  assert.equal(y.shape, [2, 3]);
});

s('backward before forward throws', () => {
  assert.throws(() => new ReLU(2, context).backward(t([2], [1, 1])), /ReLU.backward called before forward/);
  assert.throws(() => new Sigmoid(2, context).backward(t([2], [1, 1])), /Sigmoid.backward called before forward/);
  assert.throws(() => new Tanh(2, context).backward(t([2], [1, 1])), /Tanh.backward called before forward/);
  assert.throws(() => new LeakyReLU(2, context, 0.1).backward(t([2], [1, 1])), /LeakyReLU.backward called before/);
  assert.throws(() => new LeakyReLU(2, context, 0.1).region(), /LeakyReLU.region called before forward/);
});

s.run();
