// Zero-skipping versions of x·W, dout·Wᵀ and xᵀ·dout, for the sparse `a` training feeds them (MNIST
// pixels ~80% zeros, in whole border regions; ReLU-masked gradients ~50%). Per block of 64 reduction steps, a 64-bit mask per output
// row (group) marks the steps where `a` is nonzero; it is computed once, kept in the panel's tail
// and reused for every 24-column strip of b (packed, checked finite), and the tiles iterate its
// set bits, so no branch depends on the zero pattern. Which tile, measured on MNIST rows
// (src/bench/gemm-sparse.ts):
// - x·W and dout·Wᵀ (the same product once b's rows are packed as columns): a 1×24 tile skipping each row's own zeros (81% of steps) beats the 4×8 tile skipping
//   the steps zero in all 4 rows (61%), though per step it runs well below the 4×8's speed.
// - xᵀ·dout on MNIST: the 4×8 tile broadcasts 4 ADJACENT pixels a[i, p..p+3], all zero for 72%
//   of steps (zeros come in runs), and keeps the dense tile's 4-fold reuse of every panel load.
// - xᵀ·dout on ReLU outputs: half the values are zero but only ~6% of quads, so each output row
//   skips its own column's zeros with the 1×24 tile (a's column read with a stride): 1.2× the
//   dense path at 50% zeros. productPath (sparsemask.ts) picks by the measured cost of each.
// Results are bitwise equal to the dense path's, for all inputs: see sparsemask.ts.
import { MASKS_AT, MASK_COUNT, SPARSE_STEPS, STRIP, allSteps, columnMask, columnMasks4, packStrip, packStripTransposed, rowMask } from './sparsemask';
import { maskedStrip4, rowTile } from './sparsetile';
import { warm } from './warm';

/**
 * out[m×n] = a[m×k] · b[k×n], skipping zeros of a; with `bT`, out = a · bᵀ for b stored n×k
 * (dout·Wᵀ). Only the packing differs: the tile and the summation order are the same.
 * `panel` is a claimed packing panel.
 */
export function sparseMatmul(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32, panel: usize, bT: bool): void {
  const outRow = <usize>n << 2, bRow = <usize>k << 2, masks = panel + MASKS_AT;
  if (bT) warm(b, <usize>(k * n) << 2, <usize>(k * n) << 2);
  for (let p0 = 0; p0 < k; p0 += SPARSE_STEPS) {
    const kc = min(SPARSE_STEPS, k - p0);
    const all = allSteps(kc), acc = p0 > 0;
    if (!bT) warm(b + (<usize>(p0 * n) << 2), <usize>(kc * n) << 2, <usize>(k * n) << 2);
    // Rows in chunks whose masks fit in the panel (one chunk for every training shape).
    for (let i0 = 0; i0 < m; i0 += MASK_COUNT) {
      const rows = min(MASK_COUNT, m - i0);
      for (let r = 0; r < rows; r++) {
        store<u64>(masks + (<usize>r << 3), rowMask(a + (<usize>((i0 + r) * k + p0) << 2), kc));
      }
      for (let j = 0; j < n; j += STRIP) {
        const width = min(STRIP, n - j);
        const finite = bT
          ? packStripTransposed(b + (<usize>(j * k + p0) << 2), bRow, kc, width, panel)
          : packStrip(b + (<usize>(p0 * n + j) << 2), outRow, kc, width, panel);
        for (let r = 0; r < rows; r++) {
          const i = i0 + r;
          const mask = finite ? load<u64>(masks + (<usize>r << 3)) : all;
          rowTile(a + (<usize>(i * k + p0) << 2), 4, mask, panel, out + (<usize>(i * n + j) << 2), width, acc);
        }
      }
    }
  }
}

/**
 * out[k×n] = a[m×k]ᵀ · b[m×n], skipping zeros of a; output row p runs down column p of a.
 * With `perColumn`, every output row skips its own column's zeros (1×24 tile); without, 4 output
 * rows share a step unless all 4 are zero (4×8 tile).
 */
export function sparseMatmulAT(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32, panel: usize, perColumn: bool): void {
  const aRow = <usize>k << 2, outRow = <usize>n << 2, masks = panel + MASKS_AT;
  // Output rows per chunk of masks: one mask per quad, or per column.
  const chunk = perColumn ? MASK_COUNT : 4 * MASK_COUNT;
  warm(out, <usize>(k * n) << 2, <usize>(k * n) << 2);
  for (let i0 = 0; i0 < m; i0 += SPARSE_STEPS) {
    const kc = min(SPARSE_STEPS, m - i0);
    const all = allSteps(kc), acc = i0 > 0;
    for (let c0 = 0; c0 < k; c0 += chunk) {
      const quads = min(chunk >> 2, (k - c0) >> 2), last = c0 + chunk >= k;
      for (let q = 0; q < quads; q++) {
        const pa = a + (<usize>(i0 * k + c0 + 4 * q) << 2);
        const lo = columnMasks4(pa, aRow, kc, false), hi = columnMasks4(pa, aRow, kc, true);
        if (perColumn) {
          const to = masks + (<usize>q << 5);
          store<u64>(to, halves(i32x4.extract_lane(lo, 0), i32x4.extract_lane(hi, 0)));
          store<u64>(to, halves(i32x4.extract_lane(lo, 1), i32x4.extract_lane(hi, 1)), 8);
          store<u64>(to, halves(i32x4.extract_lane(lo, 2), i32x4.extract_lane(hi, 2)), 16);
          store<u64>(to, halves(i32x4.extract_lane(lo, 3), i32x4.extract_lane(hi, 3)), 24);
        } else {
          // The tile broadcasts a[i, p..p+3]: a step is skipped when those 4 adjacent values are 0.
          store<u64>(masks + (<usize>q << 3), halves(anyLane(lo), anyLane(hi)));
        }
      }
      for (let j = 0; j < n; j += STRIP) {
        const width = min(STRIP, n - j);
        const finite = packStrip(b + (<usize>(i0 * n + j) << 2), outRow, kc, width, panel);
        if (perColumn) {
          for (let c = 0; c < 4 * quads; c++) {
            const p = c0 + c;
            const mask = finite ? load<u64>(masks + (<usize>c << 3)) : all;
            rowTile(a + (<usize>(i0 * k + p) << 2), aRow, mask, panel, out + (<usize>(p * n + j) << 2), width, acc);
          }
        } else {
          for (let q = 0; q < quads; q++) {
            const p = c0 + 4 * q;
            const mask = finite ? load<u64>(masks + (<usize>q << 3)) : all;
            maskedStrip4(a + (<usize>(i0 * k + p) << 2), 4, aRow, mask, panel, out + (<usize>(p * n + j) << 2), outRow, width, acc);
          }
        }
        // The last k mod 4 columns, one output row each.
        for (let p = last ? c0 + 4 * quads : k; p < k; p++) {
          const pa = a + (<usize>(i0 * k + p) << 2);
          rowTile(pa, aRow, finite ? columnMask(pa, aRow, kc) : all, panel, out + (<usize>(p * n + j) << 2), width, acc);
        }
      }
    }
  }
}

/** The bits set in any lane: the union of 4 columns' masks. */
// @ts-ignore: decorator
@inline function anyLane(v: v128): i32 {
  const w = v128.or(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return i32x4.extract_lane(w, 0) | i32x4.extract_lane(w, 1);
}

/** A 64-step mask from the masks of steps 0..31 and 32..63. */
// @ts-ignore: decorator
@inline function halves(lo: i32, hi: i32): u64 {
  return <u64><u32>lo | (<u64><u32>hi << 32);
}
