// Zero-skipping versions of x·W, dout·Wᵀ and xᵀ·dout, for the sparse `a` training feeds them
// (MNIST pixels ~80% zeros, in whole border regions; ReLU outputs and ReLU-masked gradients ~50%).
// Per block of 256 reduction steps, 4 mask words per output row (or group) mark the steps where
// `a` is nonzero; they are computed once, kept in the panel's tail and reused for every 24-column
// strip of b (packed, checked finite), and the tiles iterate their set bits, so no branch depends
// on the zero pattern. Which tile (chosen on MNIST rows with src/bench/gemm-sparse.ts; the
// measurements: docs/performance.md):
// - x·W and dout·Wᵀ (the same product once b's rows are packed as columns): a 1×24 tile skipping
//   each row's own zeros, which skips more steps than the 4×8 tile skipping the steps zero in all
//   4 rows, though per step it runs well below the 4×8's speed.
// - xᵀ·dout on MNIST: the 4×8 tile broadcasting 4 ADJACENT pixels a[i, p..p+3] (zeros come in
//   runs), keeping the dense tile's 4-fold reuse of every panel load.
// - xᵀ·dout on ReLU outputs: half the values are zero but few quads, so each output row skips its
//   own column's zeros with the 1×24 tile (a's column read with a stride).
// productPath (sparsemask.ts) picks by the measured cost of each.
// Results are bitwise equal to the dense path's, for all inputs: see sparsemask.ts.
import {
  ALL_STEPS_AT, MASKS_AT, MASK_COUNT, MASK_WORDS, SPARE_AT, SPARSE_STEPS, STRIP,
  columnMasks4, packStrip, packStripTransposed, storeAllSteps, storeColumnMasks, storeRowMasks,
} from './sparsemask';
import { maskedStrip4, rowTile } from './sparsetile';
import { warm } from './warm';

/**
 * out[m×n] = a[m×k] · b[k×n], skipping zeros of a; with `bT`, out = a · bᵀ for b stored n×k
 * (dout·Wᵀ). Only the packing differs: the tile and the summation order are the same.
 * `panel` is a claimed packing panel.
 */
export function sparseMatmul(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32, panel: usize, bT: bool): void {
  const outRow = <usize>n << 2, bRow = <usize>k << 2, masks = panel + MASKS_AT, all = panel + ALL_STEPS_AT;
  if (bT) warm(b, <usize>(k * n) << 2, <usize>(k * n) << 2);
  for (let p0 = 0; p0 < k; p0 += SPARSE_STEPS) {
    const kc = min(SPARSE_STEPS, k - p0), words = (kc + 63) >> 6, acc = p0 > 0;
    storeAllSteps(all, kc);
    if (!bT) warm(b + (<usize>(p0 * n) << 2), <usize>(kc * n) << 2, <usize>(k * n) << 2);
    // Rows in chunks whose masks fit in the panel (one chunk for every training shape).
    for (let i0 = 0; i0 < m; i0 += MASK_COUNT) {
      const rows = min(MASK_COUNT, m - i0);
      for (let r = 0; r < rows; r++) storeRowMasks(a + (<usize>((i0 + r) * k + p0) << 2), kc, masksOf(masks, r));
      for (let j = 0; j < n; j += STRIP) {
        const width = min(STRIP, n - j);
        const finite = bT
          ? packStripTransposed(b + (<usize>(j * k + p0) << 2), bRow, kc, width, panel)
          : packStrip(b + (<usize>(p0 * n + j) << 2), outRow, kc, width, panel);
        for (let r = 0; r < rows; r++) {
          const i = i0 + r;
          rowTile(a + (<usize>(i * k + p0) << 2), 4, finite ? masksOf(masks, r) : all, words, panel, out + (<usize>(i * n + j) << 2), width, acc);
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
  const all = panel + ALL_STEPS_AT, spare = panel + SPARE_AT;
  // Output rows per chunk of masks: one set of mask words per quad, or per column.
  const chunk = perColumn ? MASK_COUNT : 4 * MASK_COUNT;
  warm(out, <usize>(k * n) << 2, <usize>(k * n) << 2);
  for (let i0 = 0; i0 < m; i0 += SPARSE_STEPS) {
    const kc = min(SPARSE_STEPS, m - i0), words = (kc + 63) >> 6, acc = i0 > 0;
    storeAllSteps(all, kc);
    for (let c0 = 0; c0 < k; c0 += chunk) {
      const quads = min(chunk >> 2, (k - c0) >> 2), last = c0 + chunk >= k;
      for (let q = 0; q < quads; q++) {
        storeQuadMasks(a + (<usize>(i0 * k + c0 + 4 * q) << 2), aRow, kc, perColumn ? masksOf(masks, 4 * q) : masksOf(masks, q), perColumn);
      }
      for (let j = 0; j < n; j += STRIP) {
        const width = min(STRIP, n - j);
        const finite = packStrip(b + (<usize>(i0 * n + j) << 2), outRow, kc, width, panel);
        if (perColumn) {
          for (let c = 0; c < 4 * quads; c++) {
            const p = c0 + c;
            rowTile(a + (<usize>(i0 * k + p) << 2), aRow, finite ? masksOf(masks, c) : all, words, panel, out + (<usize>(p * n + j) << 2), width, acc);
          }
        } else {
          for (let q = 0; q < quads; q++) {
            const p = c0 + 4 * q;
            maskedStrip4(a + (<usize>(i0 * k + p) << 2), 4, aRow, finite ? masksOf(masks, q) : all, words, panel, out + (<usize>(p * n + j) << 2), outRow, width, acc);
          }
        }
        // The last k mod 4 columns, one output row each.
        for (let p = last ? c0 + 4 * quads : k; p < k; p++) {
          const pa = a + (<usize>(i0 * k + p) << 2);
          if (finite) storeColumnMasks(pa, aRow, kc, spare);
          rowTile(pa, aRow, finite ? spare : all, words, panel, out + (<usize>(p * n + j) << 2), width, acc);
        }
      }
    }
  }
}

/** Where the mask words of row (column, quad) `index` of a chunk are kept. */
// @ts-ignore: decorator
@inline function masksOf(masks: usize, index: i32): usize {
  return masks + (<usize>(index * MASK_WORDS) << 3);
}

/**
 * The mask words of 4 adjacent columns of a block (a[s·stride + c], s < kc, c < 4): each column's
 * own at `to`, `to` + 1, … (per column), or their union at `to` (the 4×8 tile broadcasts a[i, p..p+3]:
 * a step is skipped when those 4 adjacent values are all 0).
 */
function storeQuadMasks(a: usize, stride: usize, kc: i32, to: usize, perColumn: bool): void {
  for (let w = 0; w < MASK_WORDS; w++) {
    const steps = min(64, kc - 64 * w), from = a + <usize>(64 * w) * stride;
    const lo = steps > 0 ? columnMasks4(from, stride, steps, false) : i32x4.splat(0);
    const hi = steps > 0 ? columnMasks4(from, stride, steps, true) : i32x4.splat(0);
    const word = to + (<usize>w << 3), columnBytes = <usize>MASK_WORDS << 3;
    if (perColumn) {
      store<u64>(word, halves(i32x4.extract_lane(lo, 0), i32x4.extract_lane(hi, 0)));
      store<u64>(word + columnBytes, halves(i32x4.extract_lane(lo, 1), i32x4.extract_lane(hi, 1)));
      store<u64>(word + 2 * columnBytes, halves(i32x4.extract_lane(lo, 2), i32x4.extract_lane(hi, 2)));
      store<u64>(word + 3 * columnBytes, halves(i32x4.extract_lane(lo, 3), i32x4.extract_lane(hi, 3)));
    } else {
      store<u64>(word, halves(anyLane(lo), anyLane(hi)));
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
