// The scalar product used only when every packing panel is busy (more concurrent callers than
// panels, or a thread killed mid-call left one locked). It sums each output in the same order,
// with the same multiply-add (madd.ts), as the tiled kernel: the results are bitwise equal.
import { maddScalar } from './madd';

/**
 * out[r·outStride + c] = Σ_s a[r·aRow + s·aStep] · b[s·bStep + c·bCol] for r < rows, c < cols,
 * s < depth (strides in floats).
 */
export function scalarProduct(a: usize, aRow: i32, aStep: i32, b: usize, bStep: i32, bCol: i32,
                              out: usize, outStride: i32, rows: i32, cols: i32, depth: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum: f32 = 0;
      let pa = a + (<usize>(r * aRow) << 2);
      let pb = b + (<usize>(c * bCol) << 2);
      for (let s = 0; s < depth; s++) {
        sum = maddScalar(sum, load<f32>(pa), load<f32>(pb));
        pa += <usize>aStep << 2;
        pb += <usize>bStep << 2;
      }
      store<f32>(out + (<usize>(r * outStride + c) << 2), sum);
    }
  }
}
