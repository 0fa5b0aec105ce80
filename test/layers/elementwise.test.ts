import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Add, Mul } from '../../src/layers/elementwise.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('Mul and Add layers, by hand');

// x = [1, 2, 3], y = [4, −5, 0.5]: z = x·y = [4, −10, 1.5].
// dout = [2, 1, −1]: dx = dout·y = [8, −5, −0.5], dy = dout·x = [2, 2, −3].
s('Mul multiplies elementwise and sends dout·y to x and dout·x to y', () => {
  const mul = new Mul(3, context);
  close(mul.forward(t([3], [1, 2, 3]), t([3], [4, -5, 0.5])).data, [4, -10, 1.5]);
  const [dx, dy] = backwardKeepsDout((d) => mul.backward(d), t([3], [2, 1, -1]));
  close(dx.data, [8, -5, -0.5]);
  close(dy.data, [2, 2, -3]);
});

// mul(x, x) with x = [3, −2]: z = [9, 4]; dout = [1, 1]: each slot gets dout·x = [3, −2]
// (the caller adds them up to 2x = [6, −4]).
s('Mul of a tensor with itself returns x·dout for each slot', () => {
  const mul = new Mul(2, context);
  const x = t([2], [3, -2]);
  close(mul.forward(x, x).data, [9, 4]);
  const [dx, dy] = mul.backward(t([2], [1, 1]));
  close(dx.data, [3, -2]);
  close(dy.data, [3, -2]);
});

// x = [1, 2], y = [10, 20]: z = [11, 22]; dout = [3, −4]: dx = dy = dout = [3, −4].
s('Add adds elementwise and passes dout to both inputs', () => {
  const add = new Add(2, context);
  close(add.forward(t([2], [1, 2]), t([2], [10, 20])).data, [11, 22]);
  const [dx, dy] = backwardKeepsDout((d) => add.backward(d), t([2], [3, -4]));
  close(dx.data, [3, -4]);
  close(dy.data, [3, -4]);
});

s('Add returns two separate gradient buffers (a caller may accumulate into one)', () => {
  const add = new Add(2, context);
  add.forward(t([2], [0, 0]), t([2], [0, 0]));
  const [dx, dy] = add.backward(t([2], [1, 1]));
  dx.data[0] = 99;
  assert.is(dy.data[0], 1);
});

s('Mul and Add refuse inputs of different shapes', () => {
  assert.throws(() => new Mul(4, context).forward(t([2], [1, 2]), t([1, 2], [1, 2])), /shapes/);
  assert.throws(() => new Add(4, context).forward(t([2], [1, 2]), t([3], [1, 2, 3])), /shapes/);
});

s('backward before forward throws', () => {
  assert.throws(() => new Mul(2, context).backward(t([2], [1, 1])), /before forward/);
  assert.throws(() => new Add(2, context).backward(t([2], [1, 1])), /before forward/);
});

s.run();
