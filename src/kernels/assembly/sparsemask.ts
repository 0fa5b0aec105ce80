// What the zero-skipping products need besides their tile: the per-call choice of path, the
// 64-bit masks of nonzero reduction steps, and a packer that also reports whether the panel is
// finite. Skipping a term a·b with a = ±0 leaves every sum bitwise unchanged when b is finite
// (the term is ±0, and a running sum that starts at +0 is never −0), so a panel holding NaN or
// ±Inf is swept without skipping: then the zero-skipping path equals the dense one for ALL inputs.
import { loadRow } from './tile';
import { transposeStore4 } from './pack';

/**
 * Reduction steps per sparse block: 4 u64 mask words per row (or column, or quad), one bit per
 * step. A tile keeps its accumulators in registers over the whole block and loads and stores its
 * output once per block: MNIST rows have only ~12 nonzero steps per 64, so shorter blocks spend
 * much of x·W on those loads and stores (docs/performance.md).
 */
export const MASK_WORDS: i32 = 4;
export const SPARSE_STEPS: i32 = 64 * MASK_WORDS;
/**
 * Columns per sparse strip; panel rows are this many floats (96 bytes). Not 32: a 1×32 tile needs
 * 17 vector registers, V8 has 15, and the accumulator it spilled made a store-to-load round trip
 * on every step (seen in node --print-wasm-code): half speed. The 1×24 tile (13) does not spill.
 */
export const STRIP: i32 = 24;
export const PANEL_ROW: usize = <usize>STRIP << 2;
/**
 * The claimed panel (scratch.ts): 256 steps × 96 bytes of b, then the block's all-steps mask
 * words, a spare set of words, and the masks of MASK_COUNT rows (or columns, or quads), all
 * reused across the strips of b.
 */
export const ALL_STEPS_AT: usize = <usize>SPARSE_STEPS * PANEL_ROW;
export const SPARE_AT: usize = ALL_STEPS_AT + (<usize>MASK_WORDS << 3);
export const MASKS_AT: usize = SPARE_AT + (<usize>MASK_WORDS << 3);
export const MASK_COUNT: i32 = 256;
export const SPARSE_PANEL_BYTES: usize = MASKS_AT + (<usize>MASK_COUNT * MASK_WORDS << 3);

// From which fraction of skippable steps each product takes its zero-skipping path: the
// break-even points of a slower tile doing fewer steps, fitted with src/bench/gemm-sparse.ts
// --sweep (the numbers: docs/performance.md). Only speed depends on them, never the bits.
const ROW_ZEROS_FROM_WIDE: f32 = 0.33;
const ROW_ZEROS_FROM_NARROW: f32 = 0.43;
// xᵀ·dout's paths, as time relative to the dense path given the fraction of steps each must do
// (fitted to the same sweep and the MNIST cases): the masked 4×8 tile costs a factor per step; the
// per-column 1×24 tile a fixed part (masks, packing, row stores) plus a factor per step.
// @ts-ignore: decorator
@inline function quadsCost(nonzeroQuads: f32, n: i32): f32 { return (n >= 128 ? 1.3 : 1.5) * nonzeroQuads; }
// @ts-ignore: decorator
@inline function columnsCost(nonzeros: f32, n: i32): f32 { return n >= 128 ? 0.08 + 1.42 * nonzeros : 0.27 + 1.47 * nonzeros; }

/** The paths a product can take. Every path gives the same bits; only the speed differs. */
export const DENSE: i32 = 0, SKIP: i32 = 1, SKIP_COLUMNS: i32 = 2;

// 0: choose per call; 1: always skip zeros; 2: never; 3: xᵀ·dout skips per column (the others as 1).
// Tests and benchmarks force each path. A global is per instance, i.e. per thread.
let forced: i32 = 0;

/** Forces a path for this instance's products: 0 chooses per call, 1 skips zeros, 2 runs dense, 3 as 1 but per column in xᵀ·dout. */
export function setSparsePath(mode: i32): void {
  forced = mode;
}

/**
 * Which path to take for an m×k operand `a` (n output columns), judged on 4 or 5 of its rows,
 * evenly spaced: x·W and dout·Wᵀ (`transposed` false) skip a's zeros or run dense. xᵀ·dout
 * skips 4-aligned column quads that are all zero (SKIP, MNIST's runs of zeros), else each
 * column's own zeros (SKIP_COLUMNS, ReLU outputs: half zeros but only ~6% of quads), or runs dense.
 * Counting all of `a` would cost ~1/n of a dense product (measurably slower at n = 50); 4 rows
 * (~3000 values for MNIST) are as good a guide: the paths' speeds cross far from MNIST's 80%.
 */
export function productPath(a: usize, m: i32, k: i32, n: i32, transposed: bool): i32 {
  if (forced != 0) return forced == 2 ? DENSE : forced == 3 && transposed ? SKIP_COLUMNS : SKIP;
  if (m == 0 || k == 0) return DENSE;
  const rowStep = max(1, m >> 2), zero = f32x4.splat(0);
  let zeros = i32x4.splat(0), zeroQuads = 0, counted = 0;
  for (let i = 0; i < m; i += rowStep) {
    const row = a + (<usize>i * <usize>k << 2);
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const isZero = f32x4.eq(v128.load(row + (<usize>p << 2)), zero);
      if (transposed) zeroQuads += <i32>i32x4.all_true(isZero);
      zeros = i32x4.sub(zeros, isZero);
    }
    counted += p;
  }
  const found = <f32>(i32x4.extract_lane(zeros, 0) + i32x4.extract_lane(zeros, 1) +
    i32x4.extract_lane(zeros, 2) + i32x4.extract_lane(zeros, 3));
  if (transposed) {
    const quads = quadsCost(1 - <f32>zeroQuads / <f32>(counted >> 2), n), columns = columnsCost(1 - found / <f32>counted, n);
    if (min(quads, columns) >= 1) return DENSE;
    return quads <= columns ? SKIP : SKIP_COLUMNS;
  }
  return found >= (n >= 128 ? ROW_ZEROS_FROM_WIDE : ROW_ZEROS_FROM_NARROW) * <f32>counted ? SKIP : DENSE;
}

/** Mask with the low `kc` bits set: every step of a block. */
// @ts-ignore: decorator
@inline export function allSteps(kc: i32): u64 {
  return kc >= 64 ? ~(<u64>0) : (<u64>1 << <u64>kc) - 1;
}

/** Mask words of every step of a block of `kc` steps, at `to`: what a tile sweeps without skipping. */
export function storeAllSteps(to: usize, kc: i32): void {
  for (let w = 0; w < MASK_WORDS; w++) store<u64>(to + (<usize>w << 3), allSteps(max(0, kc - 64 * w)));
}

/** Mask words of one row of a block, a[s] for s < kc, at `to`. */
export function storeRowMasks(a: usize, kc: i32, to: usize): void {
  for (let w = 0; w < MASK_WORDS; w++) {
    const steps = kc - 64 * w;
    store<u64>(to + (<usize>w << 3), steps > 0 ? rowMask(a + (<usize>(64 * w) << 2), min(64, steps)) : 0);
  }
}

/** Mask words of one column of a block, a[s·stride] for s < kc, at `to`. */
export function storeColumnMasks(a: usize, stride: usize, kc: i32, to: usize): void {
  for (let w = 0; w < MASK_WORDS; w++) {
    const steps = kc - 64 * w;
    store<u64>(to + (<usize>w << 3), steps > 0 ? columnMask(a + <usize>(64 * w) * stride, stride, min(64, steps)) : 0);
  }
}

/** Bit s set where a[s] (s < kc, contiguous floats) is not ±0; NaN counts as nonzero. */
export function rowMask(a: usize, kc: i32): u64 {
  const zero = f32x4.splat(0);
  let mask: u64 = 0;
  let s = 0;
  for (; s + 16 <= kc; s += 16) {
    // 16 lanes of 0/−1 narrowed to bytes, so one bitmask yields 16 steps.
    const p = a + (<usize>s << 2);
    const lo = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(p), zero), f32x4.ne(v128.load(p, 16), zero));
    const hi = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(p, 32), zero), f32x4.ne(v128.load(p, 48), zero));
    mask |= <u64>i8x16.bitmask(i8x16.narrow_i16x8_s(lo, hi)) << <u64>s;
  }
  for (; s < kc; s++) if (load<f32>(a + (<usize>s << 2)) != 0) mask |= <u64>1 << <u64>s;
  return mask;
}

/** Bit s set where a[s·stride] (s < kc) is not ±0: one column of a, rows `stride` bytes apart. */
export function columnMask(a: usize, stride: usize, kc: i32): u64 {
  let mask: u64 = 0;
  for (let s = 0; s < kc; s++) if (load<f32>(a + <usize>s * stride) != 0) mask |= <u64>1 << <u64>s;
  return mask;
}

/**
 * Masks of 4 adjacent columns at once (a[s·stride + r] for r < 4): one vector load per step.
 * Lane r of the result collects column r; steps 0..31 and 32..63 come back as two vectors.
 */
// @ts-ignore: decorator
@inline export function columnMasks4(a: usize, stride: usize, kc: i32, high: bool): v128 {
  const zero = f32x4.splat(0);
  let bits = i32x4.splat(0);
  const from = high ? 32 : 0, to = high ? kc : min(kc, 32);
  // Walk the steps downwards so step s lands in bit s − from after the shifts.
  for (let s = to - 1; s >= from; s--) {
    bits = i32x4.sub(i32x4.add(bits, bits), f32x4.ne(v128.load(a + <usize>s * stride), zero));
  }
  return bits;
}

/**
 * panel[s][c] = src[s·stride + c] for s < kc, c < width ≤ 24 (96-byte panel rows); lanes past
 * the width are left as they are (no tile stores them). Returns whether every value is finite.
 */
export function packStrip(src: usize, stride: usize, kc: i32, width: i32, panel: usize): bool {
  const exponent = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  for (let s = 0; s < kc; s++) {
    const from = src + <usize>s * stride, to = panel + <usize>s * PANEL_ROW;
    for (let c = 0; c < width; c += 4) {
      const v = loadRow(from, width, c);
      v128.store(to + (<usize>c << 2), v);
      bad = v128.or(bad, i32x4.eq(v128.and(v, exponent), exponent));
    }
  }
  return !v128.any_true(bad);
}

/**
 * packStrip for dout·Wᵀ: panel[s][c] = src[c·stride + s], b's ROWS laid out as columns, 4×4
 * transposes where 4 steps and 4 columns are whole, scalar at the edges (no step count or width
 * in training has any). Lanes past the width are left as they are. Returns whether all are finite.
 */
export function packStripTransposed(src: usize, stride: usize, kc: i32, width: i32, panel: usize): bool {
  const exponent = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0), badScalar: u32 = 0;
  const steps4 = kc & ~3, cols4 = width & ~3;
  for (let c = 0; c < cols4; c += 4) {
    const from = src + <usize>c * stride, to = panel + (<usize>c << 2);
    for (let s = 0; s < steps4; s += 4) {
      const p = from + (<usize>s << 2);
      const r0 = v128.load(p), r1 = v128.load(p + stride), r2 = v128.load(p + 2 * stride), r3 = v128.load(p + 3 * stride);
      bad = v128.or(bad, v128.or(i32x4.eq(v128.and(r0, exponent), exponent), i32x4.eq(v128.and(r1, exponent), exponent)));
      bad = v128.or(bad, v128.or(i32x4.eq(v128.and(r2, exponent), exponent), i32x4.eq(v128.and(r3, exponent), exponent)));
      transposeStore4(r0, r1, r2, r3, to + <usize>s * PANEL_ROW, PANEL_ROW);
    }
  }
  // The edges: the last kc mod 4 steps of the whole column quads, every step of the last columns.
  for (let c = 0; c < width; c++) {
    for (let s = c < cols4 ? steps4 : 0; s < kc; s++) {
      const v = load<u32>(src + <usize>c * stride + (<usize>s << 2));
      store<u32>(panel + <usize>s * PANEL_ROW + (<usize>c << 2), v);
      badScalar |= <u32>((v & 0x7f800000) == 0x7f800000);
    }
  }
  return !v128.any_true(bad) && badScalar == 0;
}
