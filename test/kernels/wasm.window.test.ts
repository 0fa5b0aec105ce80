import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { imageSize, patchSize, positions, windowGeometry, type Pair } from '../../src/kernels/window.ts';
import { createRng, type Rng } from '../../src/random.ts';
import { createArena, maxRelativeError, randomArray } from './wasm-compare.ts';

/**
 * The convolution and pooling kernels in WebAssembly against the TypeScript reference, on odd
 * shapes. They move values, compare them, and add them in the reference's order, so every result
 * is the same bits; the one exception is the average pool's forward sum, float32 here and float64
 * in the reference (which also serves the float64 gradient check), held to a normwise 1e-6: a sum
 * of at most 35 float32 terms is off by at most 35·2⁻²⁴ ≈ 2e-6 of Σ|x| and typically far less.
 */
const s = suite('wasm convolution and pooling kernels = reference');
const arena = createArena();
const wasm = createWasmKernels(arena.memory);

// [image, kernel, stride, padding]: the MNIST conv, stride 2 with padding, 1×1, non-square
// everything, a window larger than the image (padding makes it fit), kw ≥ 4 for the vector copies.
// prettier-ignore
const CASES: [number[], Pair, Pair, Pair][] = [
  [[1, 28, 28], [5, 5], [1, 1], [0, 0]],
  [[3, 7, 6], [3, 2], [2, 2], [1, 1]],
  [[1, 5, 5], [1, 1], [1, 1], [0, 0]],
  [[2, 6, 9], [2, 3], [2, 1], [0, 2]],
  [[3, 4, 4], [5, 6], [1, 1], [2, 3]],
  [[2, 10, 11], [5, 7], [1, 2], [3, 3]],
  // 2×2 windows at stride 2: max-pool's vector path, 4 outputs at a time, then the rest one by one
  [[3, 8, 10], [2, 2], [2, 2], [0, 0]],
  [[2, 7, 17], [2, 2], [2, 2], [0, 0]],
  [[2, 24, 24], [2, 2], [2, 2], [0, 0]],
];

const geometries = CASES.map(([image, kernel, stride, padding]) => windowGeometry(image, kernel, stride, padding)!);

function same(got: Float32Array | Uint32Array, want: Float32Array | Uint32Array, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${what}: element ${i} is ${got[i]}, reference ${want[i]}`);
  }
}

/** Values with many ties (small integers), so the first-maximum rule is exercised. */
const ties = (rng: Rng, length: number) => Float32Array.from({ length }, () => rng.int(3) - 1);

for (const rows of [1, 3]) {
  s(`im2col and col2im (${rows} rows): the same bits`, () => {
    geometries.forEach((g, k) => {
      arena.reset();
      const rng = createRng(k, rows);
      const x = randomArray(rng, rows * imageSize(g));
      const size = rows * positions(g) * patchSize(g);
      const want = new Float32Array(size);
      ref.im2col(x, want, rows, g);
      const got = arena.take(size, randomArray(rng, size));
      wasm.im2col(arena.take(x.length, x), got, rows, g);
      same(got, want, `im2col case ${k}`);
      const dcol = randomArray(rng, size);
      const wantDx = new Float32Array(x.length);
      ref.col2im(dcol, wantDx, rows, g);
      const gotDx = arena.take(x.length, randomArray(rng, x.length));
      wasm.col2im(arena.take(size, dcol), gotDx, rows, g);
      same(gotDx, wantDx, `col2im case ${k}`);
    });
  });

  s(`unpackChannels (+ bias) and packChannels with the bias gradient (${rows} rows): the same bits`, () => {
    for (const [count, channels] of [
      [576, 30],
      [7, 3],
      [1, 5],
      [10, 2],
    ]) {
      arena.reset();
      const rng = createRng(count, channels, rows);
      const a = randomArray(rng, rows * count * channels);
      const bias = randomArray(rng, channels);
      const want = new Float32Array(a.length);
      ref.unpackChannels(a, bias, want, rows, channels, count);
      const got = arena.take(a.length);
      wasm.unpackChannels(arena.take(a.length, a), arena.take(channels, bias), got, rows, channels, count);
      same(got, want, `unpackChannels ${count}×${channels}`);
      const [back, sums] = [new Float32Array(a.length), new Float32Array(channels)];
      ref.packChannels(want, back, sums, rows, channels, count);
      const [gotBack, gotSums] = [arena.take(a.length), arena.take(channels)];
      wasm.packChannels(arena.take(a.length, want), gotBack, gotSums, rows, channels, count);
      same(gotBack, back, `packChannels ${count}×${channels}`);
      same(gotSums, sums, `packChannels sums ${count}×${channels}`);
      // Packing undoes unpacking (less the bias), and the sums are the bias gradient.
      for (let i = 0; i < a.length; i++)
        assert.ok(Math.abs(back[i] - bias[Math.floor(i / (rows * count))] - a[i]) < 1e-5);
      const total = Array.from(back.subarray(0, rows * count)).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sums[0] - total) < 1e-4 * Math.max(1, Math.abs(total)), `sum ${sums[0]} vs ${total}`);
    }
  });

  s(`maxPool with its argmax, and its backward (${rows} rows, ties included): the same bits`, () => {
    geometries.forEach((g, k) => {
      for (const fill of [randomArray, ties]) {
        arena.reset();
        const rng = createRng(k, rows, 7);
        const x = fill(rng, rows * imageSize(g));
        const n = rows * g.channels * positions(g);
        const [y, argmax] = [new Float32Array(n), new Uint32Array(n)];
        ref.maxPool(x, y, argmax, rows, g);
        const gotY = arena.take(n);
        const gotArg = new Uint32Array(arena.memory.buffer, arena.take(n).byteOffset, n);
        wasm.maxPool(arena.take(x.length, x), gotY, gotArg, rows, g);
        same(gotY, y, `maxPool case ${k}`);
        same(gotArg, argmax, `argmax case ${k}`);
        const dout = randomArray(rng, n);
        const dx = new Float32Array(x.length);
        ref.maxPoolBackward(dout, argmax, dx, rows, g);
        const gotDx = arena.take(x.length, randomArray(rng, x.length));
        wasm.maxPoolBackward(arena.take(n, dout), gotArg, gotDx, rows, g);
        same(gotDx, dx, `maxPoolBackward case ${k}`);
      }
    });
  });

  s(`avgPool within 1e-6 and its backward the same bits (${rows} rows)`, () => {
    geometries.forEach((g, k) => {
      arena.reset();
      const rng = createRng(k, rows, 9);
      const x = randomArray(rng, rows * imageSize(g));
      const n = rows * g.channels * positions(g);
      const y = new Float32Array(n);
      ref.avgPool(x, y, rows, g);
      const gotY = arena.take(n);
      wasm.avgPool(arena.take(x.length, x), gotY, rows, g);
      const error = maxRelativeError(gotY, y);
      assert.ok(error < 1e-6, `avgPool case ${k}: error ${error}`);
      const dout = randomArray(rng, n);
      const dx = new Float32Array(x.length);
      ref.avgPoolBackward(dout, dx, rows, g);
      const gotDx = arena.take(x.length, randomArray(rng, x.length));
      wasm.avgPoolBackward(arena.take(n, dout), gotDx, rows, g);
      same(gotDx, dx, `avgPoolBackward case ${k}`);
    });
  });
}

s('maxPoolBackward refuses an argmax outside dx instead of writing there', () => {
  arena.reset();
  const g = geometries[2];
  const n = positions(g);
  const argmax = new Uint32Array(arena.memory.buffer, arena.take(n).byteOffset, n);
  argmax[3] = imageSize(g) + 100;
  assert.throws(() => wasm.maxPoolBackward(arena.take(n), argmax, arena.take(imageSize(g)), 1, g), /argmax outside dx/);
});

s.run();
