// Convolution and pooling over a chunk's images (rows × channels × height × width floats), in the
// order of src/kernels/reference-window.ts: wherever values are added, they are added in the same
// order, so the results are the reference's bit for bit (the tests check it). The geometry comes
// as plain numbers: c, h, w the image; kh, kw the window; sh, sw its stride; ph, pw the padding;
// oh, ow the window positions.

/** Copies `count` floats (whole vectors, then floats). */
// @ts-ignore: decorator
@inline function copyRun(from: usize, to: usize, count: i32): void {
  const bytes = <usize>count << 2, body = bytes & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) v128.store(to + o, v128.load(from + o));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(from + o));
}

/** to[k] += from[k] for k < count (whole vectors, then floats). */
// @ts-ignore: decorator
@inline function addRun(from: usize, to: usize, count: i32): void {
  const bytes = <usize>count << 2, body = bytes & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) v128.store(to + o, f32x4.add(v128.load(to + o), v128.load(from + o)));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(to + o) + load<f32>(from + o));
}

/**
 * One row of col per window position: for each channel and window row, the window's run of kw
 * pixels (one contiguous copy), zeros where the window hangs over the padding.
 */
export function im2col(x: usize, col: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                       sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const image = <usize>(c * h * w) << 2, run = <usize>kw << 2;
  let q = col;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * image;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph;
      for (let b = 0; b < ow; b++) {
        const x0 = b * sw - pw;
        const j0 = max(0, -x0), j1 = min(kw, w - x0);
        for (let ch = 0; ch < c; ch++) {
          for (let i = 0; i < kh; i++) {
            const y = y0 + i;
            if (y < 0 || y >= h || j0 >= j1) { memory.fill(q, 0, run); q += run; continue; }
            if (j0 > 0) memory.fill(q, 0, <usize>j0 << 2);
            copyRun(xr + (<usize>((ch * h + y) * w + x0 + j0) << 2), q + (<usize>j0 << 2), j1 - j0);
            if (j1 < kw) memory.fill(q + (<usize>j1 << 2), 0, <usize>(kw - j1) << 2);
            q += run;
          }
        }
      }
    }
  }
}

/** dx = 0, then each col value added back to the pixel im2col took it from, in col's order. */
export function col2im(col: usize, dx: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                       sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const image = <usize>(c * h * w) << 2, run = <usize>kw << 2;
  memory.fill(dx, 0, <usize>rows * image);
  let q = col;
  for (let r = 0; r < rows; r++) {
    const dr = dx + <usize>r * image;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph;
      for (let b = 0; b < ow; b++) {
        const x0 = b * sw - pw;
        const j0 = max(0, -x0), j1 = min(kw, w - x0);
        for (let ch = 0; ch < c; ch++) {
          for (let i = 0; i < kh; i++) {
            const y = y0 + i;
            if (y >= 0 && y < h && j0 < j1) {
              addRun(q + (<usize>j0 << 2), dr + (<usize>((ch * h + y) * w + x0 + j0) << 2), j1 - j0);
            }
            q += run;
          }
        }
      }
    }
  }
}

// The layout changes walk the [positions × channels] side in order and the channel-major side in
// `channels` streams, one per channel: each stream's cache line fills over 16 positions, and the
// streams' lines stay in L1 (30 filters: 30 lines), where a pass per channel would re-read the
// whole sample's product from L2 once per channel.

/** out[r, f, p] = a[r·P + p, f] + bias[f]. */
export function channelsFirst(a: usize, bias: usize, out: usize, rows: i32, positions: i32, channels: i32): void {
  const plane = <usize>positions << 2;
  let s = a;
  for (let r = 0; r < rows; r++) {
    const to = out + (<usize>(r * positions * channels) << 2);
    for (let p = 0; p < positions; p++) {
      let d = to + (<usize>p << 2);
      for (let f = 0; f < channels; f++) {
        store<f32>(d, load<f32>(s) + load<f32>(bias + (<usize>f << 2)));
        s += 4; d += plane;
      }
    }
  }
}

/** out[r·P + p, f] = a[r, f, p]. */
export function channelsLast(a: usize, out: usize, rows: i32, channels: i32, positions: i32): void {
  const plane = <usize>positions << 2;
  let d = out;
  for (let r = 0; r < rows; r++) {
    const from = a + (<usize>(r * positions * channels) << 2);
    for (let p = 0; p < positions; p++) {
      let s = from + (<usize>p << 2);
      for (let f = 0; f < channels; f++) {
        store<f32>(d, load<f32>(s));
        s += plane; d += 4;
      }
    }
  }
}
