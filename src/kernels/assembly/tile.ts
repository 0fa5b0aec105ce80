// The register-tiled micro-kernel every product runs: out[4 rows × 8 columns] (+)= Σ_s A·panel.
// A is addressed as a[r·rowStride + s·step] so the same code serves x·W (rows of a), xᵀ·dout
// (columns of a) and dout·Wᵀ. The panel holds 8 packed floats per reduction step s, zero padded
// past the block's width, so the inner loop never needs a column tail.
// Each output lane is summed in order s = 0, 1, 2, … with a separate multiply and add (no fused
// multiply-add), exactly like a scalar f32 loop: that is what makes the scalar fallback
// bitwise identical. (The FMA build fuses the multiply and add, in tiles and fallback alike: madd.ts.)

import { madd } from './madd';

// @ts-ignore: decorator
@inline export function tile4x8(a: usize, rowStride: usize, step: usize, panel: usize, kc: i32,
                              out: usize, outStride: usize, width: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride;
  if (accumulate) {
    c00 = loadRow(out, width, 0); c01 = loadRow(out, width, 4);
    c10 = loadRow(o1, width, 0); c11 = loadRow(o1, width, 4);
    c20 = loadRow(o2, width, 0); c21 = loadRow(o2, width, 4);
    c30 = loadRow(o3, width, 0); c31 = loadRow(o3, width, 4);
  }
  let pa = a, pb = panel;
  const end = panel + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa);
    c00 = madd(c00, s, b0); c01 = madd(c01, s, b1);
    s = v128.load32_splat(pa + rowStride);
    c10 = madd(c10, s, b0); c11 = madd(c11, s, b1);
    s = v128.load32_splat(pa + 2 * rowStride);
    c20 = madd(c20, s, b0); c21 = madd(c21, s, b1);
    s = v128.load32_splat(pa + 3 * rowStride);
    c30 = madd(c30, s, b0); c31 = madd(c31, s, b1);
    pa += step; pb += 32;
  }
  storeRow(out, c00, c01, width);
  storeRow(o1, c10, c11, width);
  storeRow(o2, c20, c21, width);
  storeRow(o3, c30, c31, width);
}

/** 4 rows × at most 4 columns: a strip's narrow remainder (n = 50 ends with 2) at half the cost. */
// @ts-ignore: decorator
@inline export function tile4x4(a: usize, rowStride: usize, step: usize, panel: usize, kc: i32,
                              out: usize, outStride: usize, width: i32, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride;
  if (accumulate) {
    c0 = loadRow(out, width, 0); c1 = loadRow(o1, width, 0);
    c2 = loadRow(o2, width, 0); c3 = loadRow(o3, width, 0);
  }
  let pa = a, pb = panel;
  const end = panel + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd(c0, v128.load32_splat(pa), b0);
    c1 = madd(c1, v128.load32_splat(pa + rowStride), b0);
    c2 = madd(c2, v128.load32_splat(pa + 2 * rowStride), b0);
    c3 = madd(c3, v128.load32_splat(pa + 3 * rowStride), b0);
    pa += step; pb += 32;
  }
  const zero = f32x4.splat(0);
  storeRow(out, c0, zero, width);
  storeRow(o1, c1, zero, width);
  storeRow(o2, c2, zero, width);
  storeRow(o3, c3, zero, width);
}

/** One output row: the leftover rows when the row count is not a multiple of 4. */
// @ts-ignore: decorator
@inline export function tile1x8(a: usize, step: usize, panel: usize, kc: i32,
                              out: usize, width: i32, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (accumulate) { c0 = loadRow(out, width, 0); c1 = loadRow(out, width, 4); }
  let pa = a, pb = panel;
  const end = panel + (<usize>kc << 5);
  while (pb < end) {
    const s = v128.load32_splat(pa);
    c0 = madd(c0, s, v128.load(pb));
    c1 = madd(c1, s, v128.load(pb, 16));
    pa += step; pb += 32;
  }
  storeRow(out, c0, c1, width);
}

/** Loads out[from .. from+4) of a row `width` wide; lanes past the width read as 0. */
// @ts-ignore: decorator
@inline export function loadRow(row: usize, width: i32, from: i32): v128 {
  if (width >= from + 4) return v128.load(row + (<usize>from << 2));
  let v = f32x4.splat(0);
  if (width > from) v = f32x4.replace_lane(v, 0, load<f32>(row + (<usize>from << 2)));
  if (width > from + 1) v = f32x4.replace_lane(v, 1, load<f32>(row + (<usize>from << 2), 4));
  if (width > from + 2) v = f32x4.replace_lane(v, 2, load<f32>(row + (<usize>from << 2), 8));
  return v;
}

/** Stores the first `width` (≤ 8) lanes of [lo, hi] to row; never writes past the width. */
// @ts-ignore: decorator
@inline export function storeRow(row: usize, lo: v128, hi: v128, width: i32): void {
  if (width == 8) { v128.store(row, lo); v128.store(row, hi, 16); return; }
  let v = lo;
  let p = row;
  if (width >= 4) { v128.store(row, lo); v = hi; p = row + 16; }
  const rest = width & 3;
  if (rest > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (rest > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rest > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
