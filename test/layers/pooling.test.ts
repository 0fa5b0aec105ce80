import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { windowGeometry, type Pair } from '../../src/kernels/window.ts';
import { AvgPool, Flatten, MaxPool } from '../../src/layers/pooling.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('MaxPool, AvgPool and Flatten, by hand');

const geometry = (image: number[], size: Pair, stride: Pair) => windowGeometry(image, size, stride, [0, 0])!;

// x = [[1, 3, 2, 0], [4, 2, 1, 5], [0, 0, 7, 6], [1, 9, 8, 8]], 2×2 windows, stride 2:
//   maxima 4 (index 4), 5 (index 7), 9 (index 13), 8 (indices 14 and 15: the first, 14)
const x4 = () => t([1, 1, 4, 4], [1, 3, 2, 0, 4, 2, 1, 5, 0, 0, 7, 6, 1, 9, 8, 8]);

s('MaxPool forward: the largest of each window; backward: dout to where it came from (first of ties)', () => {
  const pool = new MaxPool(geometry([1, 4, 4], [2, 2], [2, 2]), 2, context);
  const y = pool.forward(x4());
  assert.equal(y.shape, [1, 1, 2, 2]);
  close(y.data, [4, 5, 9, 8]);
  const [dx] = backwardKeepsDout((d) => pool.backward(d), t([1, 1, 2, 2], [1, 2, 3, 4]));
  assert.equal(dx.shape, [1, 1, 4, 4]);
  close(dx.data, [0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 4, 0]);
});

// Overlapping windows (2×2, stride 1) on [[1, 5, 2], [0, 3, 4]]: both windows take the 5, so its dx is 1 + 2.
s('MaxPool with overlapping windows adds the gradients of every window that took a value', () => {
  const pool = new MaxPool(geometry([1, 2, 3], [2, 2], [1, 1]), 1, context);
  close(pool.forward(t([1, 1, 2, 3], [1, 5, 2, 0, 3, 4])).data, [5, 5]);
  close(pool.backward(t([1, 1, 1, 2], [1, 2]))[0].data, [0, 3, 0, 0, 0, 0]);
});

// Two samples of two channels: each channel pools on its own (channel 1 is channel 0 + 10, sample 1 is −x).
s('MaxPool keeps channels and samples apart', () => {
  const pool = new MaxPool(geometry([2, 2, 2], [2, 2], [2, 2]), 2, context);
  const y = pool.forward(t([2, 2, 2, 2], [1, 2, 3, 4, 11, 12, 13, 14, -1, -2, -3, -4, -11, -12, -13, -14]));
  assert.equal(y.shape, [2, 2, 1, 1]);
  close(y.data, [4, 14, -1, -11]);
});

// x = [[1, 2, 3, 4], [5, 6, 7, 8]], 2×2 windows: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5;
// dout [4, 8] spreads 1 over the first window and 2 over the second.
s('AvgPool forward: the mean of each window; backward: dout / 4 to each of its pixels', () => {
  const pool = new AvgPool(geometry([1, 2, 4], [2, 2], [2, 2]), 1, context);
  close(pool.forward(t([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8])).data, [3.5, 5.5]);
  const [dx] = backwardKeepsDout((d) => pool.backward(d), t([1, 1, 1, 2], [4, 8]));
  close(dx.data, [1, 1, 2, 2, 1, 1, 2, 2]);
});

// A 5-wide image with 2×2 windows, stride 2: the last column is in no window (PyTorch's floor).
s('a window that does not fit at the edge is dropped, and that column gets no gradient', () => {
  const pool = new AvgPool(geometry([1, 2, 5], [2, 2], [2, 2]), 1, context);
  close(pool.forward(t([1, 1, 2, 5], [1, 2, 3, 4, 100, 5, 6, 7, 8, 100])).data, [3.5, 5.5]);
  close(pool.backward(t([1, 1, 1, 2], [4, 8]))[0].data, [1, 1, 2, 2, 0, 1, 1, 2, 2, 0]);
});

s('Flatten reshapes images to rows and the gradient back, moving no data', () => {
  const flatten = new Flatten();
  const x = t([2, 2, 1, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const y = flatten.forward(x);
  assert.equal(y.shape, [2, 4]);
  assert.is(y.data, x.data);
  const [dx] = flatten.backward(t([2, 4], [8, 7, 6, 5, 4, 3, 2, 1]));
  assert.equal(dx.shape, [2, 2, 1, 2]);
  close(dx.data, [8, 7, 6, 5, 4, 3, 2, 1]);
});

s.run();
