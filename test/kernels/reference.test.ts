import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as k } from '../../src/kernels/reference.ts';

const s = suite('reference kernels');

// [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]] (by hand)
s('matmul multiplies a 2×2 pair as by hand', () => {
  const out = new Float32Array(4);
  k.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), out, 2, 2, 2);
  assert.equal(Array.from(out), [19, 22, 43, 50]);
});

// a = [[1,2,3],[4,5,6]] (2×3), b = [[1,0],[0,1]] (2×2): aᵀ·b = [[1,4],[2,5],[3,6]]
s('matmulAT gives the transposed product', () => {
  const out = new Float32Array(6);
  k.matmulAT(new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([1, 0, 0, 1]), out, 2, 3, 2);
  assert.equal(Array.from(out), [1, 4, 2, 5, 3, 6]);
});

// a = [[1,2]] (1×2), b = [[3,4],[5,6],[7,8]] (3×2): a·bᵀ = [[11,17,23]]
s('matmulBT gives the product with the second operand transposed', () => {
  const out = new Float32Array(3);
  k.matmulBT(new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6, 7, 8]), out, 1, 2, 3);
  assert.equal(Array.from(out), [11, 17, 23]);
});

s('softmaxCrossEntropy of equal logits is log(n) per row, gradient 1/n − onehot', () => {
  const d = new Float32Array(4);
  const loss = k.softmaxCrossEntropy(new Float32Array([3, 3, 3, 3]), new Float32Array([1]), d, 1, 4);
  assert.ok(Math.abs(loss - Math.log(4)) < 1e-6);
  assert.equal(Array.from(d), [0.25, -0.75, 0.25, 0.25]);
});

s('softmaxCrossEntropy stays finite for logits of ±1000', () => {
  const d = new Float32Array(2);
  const loss = k.softmaxCrossEntropy(new Float32Array([1000, -1000]), new Float32Array([1]), d, 1, 2);
  assert.ok(Math.abs(loss - 2000) < 1e-3, `loss ${loss}`);
  assert.equal(Array.from(d), [1, -1]);
});

s('reduceSlots sums slots in order and scales', () => {
  const out = new Float32Array(2);
  k.reduceSlots([new Float32Array([1, 2]), new Float32Array([3, 4])], out, 2, 0.5);
  assert.equal(Array.from(out), [2, 3]);
});

s.run();
