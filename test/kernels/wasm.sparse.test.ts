import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import { createWasmKernels, instantiateKernels } from '../../src/kernels/wasm.ts';
import { createRng, type Rng } from '../../src/random.ts';
import { KERNEL_BUILDS, createArena, createErrorLog, maxRelativeError, randomArray } from './wasm-compare.ts';

// matmul, matmulBT and matmulAT skip exact zeros of `a` when it is sparse enough (src/kernels/
// assembly/sparse.ts). Skipping must not change a single bit: each test runs every zero-skipping path
// and the dense path (forced on a raw instance) and compares them bitwise, and against the reference,
// in each kernel build (plain and FMA: within a build every path must give the same bits).
const s = suite('wasm products on sparse operands');
const arena = createArena();
type Raw = ReturnType<typeof instantiateKernels>;
const errors = createErrorLog();
const SIZES = [1, 3, 7, 33, 257];
const SHAPES = [
  ...SIZES.flatMap((m) => SIZES.flatMap((k) => SIZES.map((n) => [m, k, n]))),
  [100, 784, 50],
  [50, 784, 512],
  [65, 130, 40],
  [128, 64, 33],
  [300, 70, 30],
  [70, 1100, 30],
  [3, 2100, 5], // more rows, or columns, than the masks kept at once
];
const DENSE = 2,
  SPARSE = 1,
  AUTO = 0,
  COLUMNS = 3;
/** The zero-skipping paths of each product: xᵀ·dout has two (4 columns at once, or per column). */
const skipModes = (product: Product) => (product === 'matmulAT' ? [SPARSE, COLUMNS] : [SPARSE]);

/** Patterns of `a` (m×k): the zeros the training data has, and the edge cases. */
const PATTERNS: Record<string, (rng: Rng, m: number, k: number) => Float32Array> = {
  '80% zeros': (rng, m, k) => sprinkle(rng, m * k, 0.8),
  '50% zeros': (rng, m, k) => sprinkle(rng, m * k, 0.5),
  'all zeros': (_, m, k) => new Float32Array(m * k).map((_, i) => (i % 3 ? 0 : -0)),
  'one nonzero': (rng, m, k) => {
    const a = new Float32Array(m * k);
    a[rng.int(m * k)] = rng.normal();
    return a;
  },
  // MNIST-like: zero borders, a dense middle in every row, so runs of zero columns.
  'zero borders': (rng, m, k) =>
    new Float32Array(m * k).map((_, i) => {
      const p = i % k;
      return p > k / 4 && p < (3 * k) / 4 && rng.next() < 0.6 ? Math.abs(rng.normal()) : 0;
    }),
};

function sprinkle(rng: Rng, length: number, zeros: number): Float32Array {
  // Both signs of zero: −0 is skipped like +0.
  return new Float32Array(length).map(() => (rng.next() < zeros ? (rng.next() < 0.5 ? 0 : -0) : rng.normal()));
}

// Every product is called (a, b, out, m, k, n) with a m×k, reduced over k for matmul and matmulBT
// (b is k×n, resp. n×k: matmulBT's own names are (m, n, k)), over m for matmulAT (b is m×n).
type Product = 'matmul' | 'matmulBT' | 'matmulAT';
const outLength = (product: Product, m: number, k: number, n: number) => (product === 'matmulAT' ? k * n : m * n);
const bLength = (product: Product, m: number, k: number, n: number) => (product === 'matmulAT' ? m * n : k * n);

/** Seeded garbage the output starts as (the kernels must overwrite it), one array per length. */
const garbage = new Map<number, Float32Array>();
const garbageOf = (length: number) => {
  if (!garbage.has(length)) garbage.set(length, randomArray(createRng(9), length));
  return garbage.get(length)!;
};

/** Runs `product` on the raw exports with the path forced by `mode`; returns a copy of out. */
function run(
  raw: Raw,
  product: Product,
  mode: number,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  const out = arena.take(outLength(product, m, k, n), garbageOf(outLength(product, m, k, n)));
  raw.setSparsePath(mode);
  try {
    raw[product](a.byteOffset, b.byteOffset, out.byteOffset, m, k, n);
  } finally {
    raw.setSparsePath(AUTO);
  }
  return out.slice();
}

/** Asserts `got` and `want` hold the same float32 bits (−0 ≠ +0, NaN payloads count); names the first difference. */
function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  if (got.length === want.length && bytes(got).equals(bytes(want))) return;
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const i = a.findIndex((bits, j) => bits !== b[j]);
  const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));
  const where = `first difference at [${i}]: ${show(got[i])} vs ${show(want[i])}`;
  assert.unreachable(`${what}: lengths ${got.length} and ${want.length}, ${where}`);
}

/** The operands of every shape for one product and pattern, and the reference's result for them. */
interface Operands {
  a: Float32Array;
  b: Float32Array;
  want: Float32Array;
}

/**
 * Operands and reference results do not depend on the kernel build: made once for the first build's
 * test and kept until the last build's has used them (the random operands and the reference's
 * products were two thirds of this file's time when each build made its own).
 */
const shared = new Map<string, { operands: Operands[]; uses: number }>();
function operandsFor(product: Product, name: string): Operands[] {
  const key = `${product} ${name}`;
  const entry = shared.get(key) ?? {
    uses: 0,
    operands: SHAPES.map(([m, k, n]) => {
      const rng = createRng(11, m, k, n);
      const a = PATTERNS[name](rng, m, k);
      const b = randomArray(rng, bLength(product, m, k, n));
      const want = new Float32Array(outLength(product, m, k, n));
      ref[product](a, b, want, m, k, n);
      return { a, b, want };
    }),
  };
  if (++entry.uses === KERNEL_BUILDS.length) shared.delete(key);
  else shared.set(key, entry);
  return entry.operands;
}

const raws = new Map(KERNEL_BUILDS.map(({ name, module }) => [name, instantiateKernels(arena.memory, module)]));
for (const product of ['matmul', 'matmulBT', 'matmulAT'] as const) {
  for (const name of Object.keys(PATTERNS)) {
    for (const { name: build } of KERNEL_BUILDS) {
      const raw = raws.get(build)!;
      s(`${build}: ${product}, ${name}: zero-skipping path is bitwise the dense path and matches the reference`, () => {
        const operands = operandsFor(product, name);
        for (const [index, [m, k, n]] of SHAPES.entries()) {
          arena.reset();
          const a = arena.take(m * k, operands[index].a);
          const b = arena.take(bLength(product, m, k, n), operands[index].b);
          const dense = run(raw, product, DENSE, a, b, m, k, n);
          const { want } = operands[index];
          for (const mode of skipModes(product)) {
            const sparse = run(raw, product, mode, a, b, m, k, n);
            assertSameBits(sparse, dense, `${product} mode ${mode} ${name} m=${m} k=${k} n=${n}`);
            const error = errors.record(`${product} sparse`, maxRelativeError(sparse, want));
            assert.ok(error < 1e-5, `${product} mode ${mode} ${name} m=${m} k=${k} n=${n}: error ${error}`);
          }
          assertSameBits(run(raw, product, AUTO, a, b, m, k, n), dense, 'automatic choice');
        }
      });
    }
  }
}

for (const { name: build, module } of KERNEL_BUILDS) {
  const raw = raws.get(build)!;
  for (const product of ['matmul', 'matmulBT', 'matmulAT'] as const) {
    s(`${build}: ${product}: NaN and ±Inf in b propagate exactly as on the dense path (0 · Inf = NaN)`, () => {
      for (const [m, k, n] of [
        [33, 257, 7],
        [7, 70, 40],
        [100, 784, 50],
      ]) {
        arena.reset();
        const rng = createRng(13, m, k, n);
        const a = arena.take(m * k, sprinkle(rng, m * k, 0.8));
        const values = randomArray(rng, bLength(product, m, k, n));
        [Infinity, -Infinity, NaN].forEach((x, i) => {
          values[(i * 7919) % values.length] = x;
        });
        const b = arena.take(values.length, values);
        const dense = run(raw, product, DENSE, a, b, m, k, n);
        assert.ok(dense.some(Number.isNaN), 'the case must produce NaN somewhere');
        for (const mode of skipModes(product)) {
          assertSameBits(run(raw, product, mode, a, b, m, k, n), dense, `${product} mode ${mode} m=${m} k=${k} n=${n}`);
        }
      }
    });

    s(`${build}: ${product}: the scalar fallback (every panel busy) gives the zero-skipping path's bits`, () => {
      const locks = new Int32Array(arena.memory.buffer, raw.panelLocks(), raw.panelCount());
      arena.reset();
      const [m, k, n] = [33, 257, 40];
      const rng = createRng(17);
      const a = arena.take(m * k, PATTERNS['zero borders'](rng, m, k));
      const b = arena.take(Math.max(k, m) * n, randomArray(rng, Math.max(k, m) * n));
      const sparse = run(raw, product, SPARSE, a, b, m, k, n);
      locks.fill(1);
      try {
        assertSameBits(run(raw, product, SPARSE, a, b, m, k, n), sparse, `${product} fallback`);
      } finally {
        locks.fill(0);
      }
    });
  }

  s(`${build}: the kernels object (path chosen per call) gives the dense bits on sparse and dense operands`, () => {
    const wasm = createWasmKernels(arena.memory, module);
    for (const zeros of [0.9, 0]) {
      arena.reset();
      const rng = createRng(19);
      const a = arena.take(64 * 96, sprinkle(rng, 64 * 96, zeros)),
        b = arena.take(96 * 24, randomArray(rng, 96 * 24));
      const out = arena.take(64 * 24);
      wasm.matmul(a, b, out, 64, 96, 24);
      assertSameBits(out, run(raw, 'matmul', DENSE, a, b, 64, 96, 24), `zeros ${zeros}`);
    }
  });
}

s('negative control: assertSameBits tells −0 from +0', () => {
  let message = '';
  try {
    assertSameBits(new Float32Array([1, -0]), new Float32Array([1, 0]), 'x');
  } catch (error) {
    message = (error as Error).message;
  }
  assert.match(message, 'first difference at [1]: -0 vs 0');
});

s.after(() => errors.print());
s.run();
