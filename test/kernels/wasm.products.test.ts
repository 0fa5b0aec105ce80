import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import { createWasmKernels, instantiateKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { KERNEL_BUILDS, createArena, createErrorLog, maxRelativeError, randomArray } from './wasm-compare.ts';

const s = suite('wasm matrix products');
const arena = createArena();
const errors = createErrorLog();
const TOLERANCE = 1e-5;
const SIZES = [1, 3, 7, 33, 257];
// Every combination of odd sizes, plus the training shapes and a reduction longer than two panels.
const SHAPES = [
  ...SIZES.flatMap((m) => SIZES.flatMap((k) => SIZES.map((n) => [m, k, n]))),
  [100, 784, 50],
  [256, 784, 10],
  [5, 600, 9],
  [8, 16, 8],
];
type Product = 'matmul' | 'matmulAT' | 'matmulBT';

/** Runs one product on both kernels with the same seeded inputs; returns wasm and reference outputs. */
function runBoth(wasm: Kernels, product: Product, m: number, k: number, n: number, seed: number) {
  const rng = createRng(seed, m, k, n);
  // Operand sizes per orientation (see types.ts): [a, b, out].
  const sizes = {
    matmul: [m * k, k * n, m * n],
    matmulAT: [m * k, m * n, k * n],
    matmulBT: [m * n, k * n, m * k],
  }[product];
  const a = randomArray(rng, sizes[0]);
  const b = randomArray(rng, sizes[1]);
  const want = new Float32Array(sizes[2]);
  // The output starts as garbage: every product must overwrite, never accumulate.
  const got = arena.take(sizes[2], randomArray(rng, sizes[2]));
  const wa = arena.take(a.length, a),
    wb = arena.take(b.length, b);
  if (product === 'matmulBT') {
    ref.matmulBT(a, b, want, m, n, k);
    wasm.matmulBT(wa, wb, got, m, n, k);
  } else {
    ref[product](a, b, want, m, k, n);
    wasm[product](wa, wb, got, m, k, n);
  }
  return {
    got,
    want,
    run: () => (product === 'matmulBT' ? wasm.matmulBT(wa, wb, got, m, n, k) : wasm[product](wa, wb, got, m, k, n)),
  };
}

for (const { name: build, module } of KERNEL_BUILDS) {
  const wasm = createWasmKernels(arena.memory, module);
  for (const product of ['matmul', 'matmulAT', 'matmulBT'] as const) {
    s(`${build}: ${product} matches the reference for odd sizes in every dimension`, () => {
      for (const [m, k, n] of SHAPES) {
        arena.reset();
        const { got, want } = runBoth(wasm, product, m, k, n, 1);
        const error = errors.record(`${build} ${product}`, maxRelativeError(got, want));
        assert.ok(error < TOLERANCE, `${product} m=${m} k=${k} n=${n}: error ${error}`);
      }
    });
  }

  s(`${build}: the scalar fallback (all packing panels busy) gives bitwise the same result`, () => {
    const raw = instantiateKernels(arena.memory, module);
    const locks = new Int32Array(arena.memory.buffer, raw.panelLocks(), raw.panelCount());
    for (const product of ['matmul', 'matmulAT', 'matmulBT'] as const) {
      arena.reset();
      const { got, run } = runBoth(wasm, product, 33, 257, 7, 3);
      const packed = got.slice();
      got.fill(NaN);
      locks.fill(1);
      try {
        run();
      } finally {
        locks.fill(0);
      }
      assert.equal(Array.from(got), Array.from(packed), product);
    }
  });
}

s('the comparison detects a single perturbed output (negative control)', () => {
  arena.reset();
  const { got, want } = runBoth(createWasmKernels(arena.memory), 'matmul', 7, 33, 3, 2);
  assert.ok(maxRelativeError(got, want) < TOLERANCE);
  got[5] += 1e-3 * Math.abs(want[5]) + 1e-3;
  assert.ok(maxRelativeError(got, want) > TOLERANCE, 'a perturbed output must fail the check');
  got[5] = NaN;
  assert.is(maxRelativeError(got, want), Infinity);
});

s('products of zero depth write zeros', () => {
  arena.reset();
  const out = arena.take(6, [1, 2, 3, 4, 5, 6]);
  const none = arena.take(1);
  createWasmKernels(arena.memory).matmul(none, none, out, 2, 0, 3);
  assert.equal(Array.from(out), [0, 0, 0, 0, 0, 0]);
});

s.after(() => errors.print());
s.run();
