// Copies one block of the right-hand operand into a contiguous panel of 8 floats per reduction
// step, zero padded past `width`. A contiguous panel stays in L1: read in place, the 8-column
// strip of a 512-wide matrix lies 2 KiB apart per step, and those lines all fall into the same
// few cache sets, evicting each other (docs/performance.md has the numbers).

/** panel[s][c] = src[s·stride + c] for s < kc, c < width (a block of rows: x·W and xᵀ·dout). */
export function packRows(src: usize, stride: usize, kc: i32, width: i32, panel: usize): void {
  let p = src, q = panel;
  const end = panel + (<usize>kc << 5);
  if (width == 8) {
    while (q < end) {
      v128.store(q, v128.load(p)); v128.store(q, v128.load(p, 16), 16);
      p += stride; q += 32;
    }
    return;
  }
  while (q < end) {
    v128.store(q, f32x4.splat(0)); v128.store(q, f32x4.splat(0), 16);
    for (let c = 0; c < width; c++) store<f32>(q + (<usize>c << 2), load<f32>(p + (<usize>c << 2)));
    p += stride; q += 32;
  }
}

/**
 * panel[s][c] = src[c·stride + s] for s < kc, c < width: a block of ROWS of b laid out as
 * columns, so dout·Wᵀ runs on the same micro-kernel as x·W. Full blocks transpose 4×4 at a time.
 */
export function packTransposed(src: usize, stride: usize, kc: i32, width: i32, panel: usize): void {
  let s = 0;
  if (width == 8) {
    for (; s + 4 <= kc; s += 4) {
      const from = src + (<usize>s << 2);
      const to = panel + (<usize>s << 5);
      transpose4(from, stride, to);
      transpose4(from + 4 * stride, stride, to + 16);
    }
  }
  for (; s < kc; s++) {
    const to = panel + (<usize>s << 5);
    v128.store(to, f32x4.splat(0)); v128.store(to, f32x4.splat(0), 16);
    for (let c = 0; c < width; c++) {
      store<f32>(to + (<usize>c << 2), load<f32>(src + <usize>c * stride + (<usize>s << 2)));
    }
  }
}

/** Writes the transpose of the 4×4 block at `from` (rows `stride` bytes apart) as 4 panel rows. */
// @ts-ignore: decorator
@inline function transpose4(from: usize, stride: usize, to: usize): void {
  const r0 = v128.load(from), r1 = v128.load(from + stride);
  transposeStore4(r0, r1, v128.load(from + 2 * stride), v128.load(from + 3 * stride), to, 32);
}

/**
 * Stores the transpose of the 4×4 block with rows r0..r3 as 4 panel rows `toStride` bytes apart.
 * Takes the rows as values so sparsemask.ts's packer can check them for NaN/Inf on the way.
 */
// @ts-ignore: decorator
@inline export function transposeStore4(r0: v128, r1: v128, r2: v128, r3: v128, to: usize, toStride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(to, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(to + toStride, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(to + 2 * toStride, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(to + 3 * toStride, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
}
