// The three matrix products training needs, each blocked the same way: for every block of KC
// reduction steps and every 8-column strip of the output, pack the strip's operand into a panel,
// then sweep the rows with the 4×8 micro-kernel. Blocks after the first accumulate into `out`.
// The three sweeps are written out on purpose: a shared sweep taking the strides as arguments is
// slower (the constant 4-byte stride no longer folds into the inlined tiles; docs/performance.md).
import { KC, claimPanel, releasePanel } from './scratch';
import { packRows, packTransposed } from './pack';
import { tile4x8, tile4x4, tile1x8 } from './tile';
import { scalarProduct } from './fallback';
import { sparseMatmul, sparseMatmulAT } from './sparse';
import { DENSE, SKIP, productPath } from './sparsemask';

/** out[m×n] = a[m×k] · b[k×n]   (forward: x · W) */
export function matmul(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  const panel = claimPanel();
  if (panel == 0) { scalarProduct(a, k, 1, b, n, 1, out, n, m, n, k); return; }
  if (k == 0) memory.fill(out, 0, <usize>(m * n) << 2);
  // Same bits either way (sparse.ts): the choice only decides the speed.
  if (productPath(a, m, k, n, false) != DENSE) { sparseMatmul(a, b, out, m, k, n, panel, false); releasePanel(panel); return; }
  const aRow = <usize>k << 2, outRow = <usize>n << 2;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    for (let j = 0; j < n; j += 8) {
      const width = min(8, n - j);
      packRows(b + (<usize>(p0 * n + j) << 2), outRow, kc, width, panel);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const pa = a + (<usize>(i * k + p0) << 2), po = out + (<usize>(i * n + j) << 2);
        if (width <= 4) tile4x4(pa, aRow, 4, panel, kc, po, outRow, width, p0 > 0);
        else tile4x8(pa, aRow, 4, panel, kc, po, outRow, width, p0 > 0);
      }
      for (; i < m; i++) {
        tile1x8(a + (<usize>(i * k + p0) << 2), 4, panel, kc, out + (<usize>(i * n + j) << 2), width, p0 > 0);
      }
    }
  }
  releasePanel(panel);
}

/** out[k×n] = a[m×k]ᵀ · b[m×n]   (weight gradient: xᵀ · dout); output rows are a's columns. */
export function matmulAT(a: usize, b: usize, out: usize, m: i32, k: i32, n: i32): void {
  const panel = claimPanel();
  if (panel == 0) { scalarProduct(a, 1, k, b, n, 1, out, n, k, n, m); return; }
  if (m == 0) memory.fill(out, 0, <usize>(k * n) << 2);
  const path = productPath(a, m, k, n, true);
  if (path != DENSE) { sparseMatmulAT(a, b, out, m, k, n, panel, path != SKIP); releasePanel(panel); return; }
  const aRow = <usize>k << 2, outRow = <usize>n << 2;
  for (let i0 = 0; i0 < m; i0 += KC) {
    const kc = min(KC, m - i0);
    for (let j = 0; j < n; j += 8) {
      const width = min(8, n - j);
      packRows(b + (<usize>(i0 * n + j) << 2), outRow, kc, width, panel);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const pa = a + (<usize>(i0 * k + p) << 2), po = out + (<usize>(p * n + j) << 2);
        if (width <= 4) tile4x4(pa, 4, aRow, panel, kc, po, outRow, width, i0 > 0);
        else tile4x8(pa, 4, aRow, panel, kc, po, outRow, width, i0 > 0);
      }
      for (; p < k; p++) {
        tile1x8(a + (<usize>(i0 * k + p) << 2), aRow, panel, kc, out + (<usize>(p * n + j) << 2), width, i0 > 0);
      }
    }
  }
  releasePanel(panel);
}

/** out[m×k] = a[m×n] · b[k×n]ᵀ   (input gradient: dout · Wᵀ); b's rows are packed as columns. */
export function matmulBT(a: usize, b: usize, out: usize, m: i32, n: i32, k: i32): void {
  const panel = claimPanel();
  if (panel == 0) { scalarProduct(a, n, 1, b, 1, n, out, k, m, k, n); return; }
  if (n == 0) memory.fill(out, 0, <usize>(m * k) << 2);
  // a is dout after a ReLU's backward, ~50% zeros: x·W's zero-skipping path, on b packed transposed.
  if (productPath(a, m, n, k, false) != DENSE) { sparseMatmul(a, b, out, m, n, k, panel, true); releasePanel(panel); return; }
  const aRow = <usize>n << 2, outRow = <usize>k << 2;
  for (let j0 = 0; j0 < n; j0 += KC) {
    const kc = min(KC, n - j0);
    for (let p = 0; p < k; p += 8) {
      const width = min(8, k - p);
      packTransposed(b + (<usize>(p * n + j0) << 2), aRow, kc, width, panel);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const pa = a + (<usize>(i * n + j0) << 2), po = out + (<usize>(i * k + p) << 2);
        if (width <= 4) tile4x4(pa, aRow, 4, panel, kc, po, outRow, width, j0 > 0);
        else tile4x8(pa, aRow, 4, panel, kc, po, outRow, width, j0 > 0);
      }
      for (; i < m; i++) {
        tile1x8(a + (<usize>(i * n + j0) << 2), 4, panel, kc, out + (<usize>(i * k + p) << 2), width, j0 > 0);
      }
    }
  }
  releasePanel(panel);
}
