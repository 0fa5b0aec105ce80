// Micro-kernels of the zero-skipping products. Each iterates only the set bits of a block's mask
// words (`words` of them, 64 steps each, in order; ctz, clear lowest bit), so no branch depends
// on where the zeros are. The panel holds 24 floats (96 bytes) per step; a tile reads its columns at `panel`
// (already offset to them).
// Every lane is summed in increasing step order with a separate multiply and add, as tile.ts.
import { storeRow, loadRow } from './tile';
import { madd } from './madd';
import { PANEL_ROW } from './sparsemask';

/**
 * 4 rows × 8 columns: out[r][·] (+)= Σ_{s in masks} a[r·rowStride + s·step] · panel[s][·]. Skips a
 * step only when it is zero in all 4 rows (the union mask), so it keeps the dense tile's 4-fold
 * reuse of every panel load. (Written out, not one function with a width constant: binaryen
 * merged the two inlined variants and left the width test inside the loop.)
 */
// @ts-ignore: decorator
@inline function maskedTile4x8(a: usize, rowStride: usize, step: usize, masks: usize, words: i32, panel: usize,
                               out: usize, outStride: usize, width: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (accumulate) {
    c00 = loadRow(out, width, 0); c10 = loadRow(out + outStride, width, 0);
    c20 = loadRow(out + 2 * outStride, width, 0); c30 = loadRow(out + 3 * outStride, width, 0);
    c01 = loadRow(out, width, 4); c11 = loadRow(out + outStride, width, 4);
    c21 = loadRow(out + 2 * outStride, width, 4); c31 = loadRow(out + 3 * outStride, width, 4);
  }
  // a and panel advance by one mask word's 64 steps; few live pointers keep V8 from spilling.
  for (let word = masks, end = masks + (<usize>words << 3); word < end; word += 8) {
    let mask = load<u64>(word);
    while (mask != 0) {
      const s = <usize>ctz(mask);
      mask &= mask - 1;
      const pa = a + s * step, pb = panel + s * PANEL_ROW;
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c00 = madd(c00, x, b0); c01 = madd(c01, x, b1);
      x = v128.load32_splat(pa + rowStride);
      c10 = madd(c10, x, b0); c11 = madd(c11, x, b1);
      x = v128.load32_splat(pa + 2 * rowStride);
      c20 = madd(c20, x, b0); c21 = madd(c21, x, b1);
      x = v128.load32_splat(pa + 3 * rowStride);
      c30 = madd(c30, x, b0); c31 = madd(c31, x, b1);
    }
    a += 64 * step; panel += 64 * PANEL_ROW;
  }
  storeRow(out, c00, c01, width); storeRow(out + outStride, c10, c11, width);
  storeRow(out + 2 * outStride, c20, c21, width); storeRow(out + 3 * outStride, c30, c31, width);
}

/** 4 rows × at most 4 columns: a strip's narrow tail (n = 50 ends with 2) at half the cost. */
// @ts-ignore: decorator
@inline function maskedTile4x4(a: usize, rowStride: usize, step: usize, masks: usize, words: i32, panel: usize,
                               out: usize, outStride: usize, width: i32, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  if (accumulate) {
    c0 = loadRow(out, width, 0); c1 = loadRow(out + outStride, width, 0);
    c2 = loadRow(out + 2 * outStride, width, 0); c3 = loadRow(out + 3 * outStride, width, 0);
  }
  for (let word = masks, end = masks + (<usize>words << 3); word < end; word += 8) {
    let mask = load<u64>(word);
    while (mask != 0) {
      const s = <usize>ctz(mask);
      mask &= mask - 1;
      const pa = a + s * step, b0 = v128.load(panel + s * PANEL_ROW);
      c0 = madd(c0, v128.load32_splat(pa), b0);
      c1 = madd(c1, v128.load32_splat(pa + rowStride), b0);
      c2 = madd(c2, v128.load32_splat(pa + 2 * rowStride), b0);
      c3 = madd(c3, v128.load32_splat(pa + 3 * rowStride), b0);
    }
    a += 64 * step; panel += 64 * PANEL_ROW;
  }
  const zero = f32x4.splat(0);
  storeRow(out, c0, zero, width); storeRow(out + outStride, c1, zero, width);
  storeRow(out + 2 * outStride, c2, zero, width); storeRow(out + 3 * outStride, c3, zero, width);
}

/** 4 rows × one strip, as 8-column tiles (a 4-column one for a narrow tail). */
export function maskedStrip4(a: usize, rowStride: usize, step: usize, masks: usize, words: i32, panel: usize,
                             out: usize, outStride: usize, width: i32, accumulate: bool): void {
  for (let c = 0; c < width; c += 8) {
    const w = min(8, width - c), at = <usize>c << 2;
    if (w > 4) maskedTile4x8(a, rowStride, step, masks, words, panel + at, out + at, outStride, w, accumulate);
    else maskedTile4x4(a, rowStride, step, masks, words, panel + at, out + at, outStride, w, accumulate);
  }
}

/**
 * One output row, skipping every zero of its own: x·W's rows and xᵀ·dout's leftover columns.
 * Picks the narrowest tile covering `width`, so n = 50's last 2 columns cost 8.
 */
export function rowTile(a: usize, step: usize, masks: usize, words: i32, panel: usize, out: usize, width: i32, accumulate: bool): void {
  if (width > 16) tile1xN(a, step, masks, words, panel, out, width, accumulate, 6);
  else if (width > 8) tile1xN(a, step, masks, words, panel, out, width, accumulate, 4);
  else tile1xN(a, step, masks, words, panel, out, width, accumulate, 2);
}

/**
 * out[0 .. width) (+)= Σ_{s in masks} a[s·step] · panel[s][·], `quads` × 4 columns (a constant
 * after inlining, so the unused accumulators vanish).
 */
// @ts-ignore: decorator
@inline function tile1xN(a: usize, step: usize, masks: usize, words: i32, panel: usize, out: usize, width: i32,
                         accumulate: bool, quads: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  if (accumulate) {
    c0 = loadRow(out, width, 0); c1 = loadRow(out, width, 4);
    if (quads > 2) { c2 = loadRow(out, width, 8); c3 = loadRow(out, width, 12); }
    if (quads > 4) { c4 = loadRow(out, width, 16); c5 = loadRow(out, width, 20); }
  }
  for (let word = masks, end = masks + (<usize>words << 3); word < end; word += 8) {
    let mask = load<u64>(word);
    while (mask != 0) {
      const s = <usize>ctz(mask);
      mask &= mask - 1;
      const x = v128.load32_splat(a + s * step);
      const pb = panel + s * PANEL_ROW;
      c0 = madd(c0, x, v128.load(pb)); c1 = madd(c1, x, v128.load(pb, 16));
      if (quads > 2) {
        c2 = madd(c2, x, v128.load(pb, 32)); c3 = madd(c3, x, v128.load(pb, 48));
      }
      if (quads > 4) {
        c4 = madd(c4, x, v128.load(pb, 64)); c5 = madd(c5, x, v128.load(pb, 80));
      }
    }
    a += 64 * step; panel += 64 * PANEL_ROW;
  }
  storeRow(out, c0, c1, min(8, width));
  if (width > 8) storeRow(out + 32, c2, c3, min(8, width - 8));
  if (width > 16) storeRow(out + 64, c4, c5, min(8, width - 16));
}
