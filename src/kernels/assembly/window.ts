// Convolution's data movement over a chunk's images (rows × channels × height × width floats), in
// the order of src/kernels/reference-window.ts: wherever values are added, they are added in the
// same order, so the results are the reference's bit for bit (the tests check it). The geometry
// comes as plain numbers: c, h, w the image; kh, kw the window; sh, sw its stride; ph, pw the
// padding; oh, ow the window positions.

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

/** The first window position whose column ow·sw − pw + j lies in the image (ceil((pw − j)/sw), ≥ 0). */
// @ts-ignore: decorator
@inline function firstInside(pw: i32, j: i32, sw: i32): i32 {
  const before = pw - j;
  return before <= 0 ? 0 : (before + sw - 1) / sw;
}

/** One past the last window position whose column lies in the image, at most ow. */
// @ts-ignore: decorator
@inline function endInside(w: i32, pw: i32, j: i32, sw: i32, ow: i32): i32 {
  const last = w - 1 + pw - j;
  return last < 0 ? 0 : min(ow, last / sw + 1);
}

/**
 * col[q, r·P + p]: for each window value q = (c, i, j) and each sample and window row, the run of
 * outW values that window value takes: a contiguous copy at stride 1, zeros in the padding.
 */
export function im2col(x: usize, col: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                       sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const image = <usize>(c * h * w) << 2, runBytes = <usize>ow << 2;
  let q = col;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const b0 = firstInside(pw, j, sw), b1 = max(b0, endInside(w, pw, j, sw, ow));
        for (let r = 0; r < rows; r++) {
          const plane = x + <usize>r * image + (<usize>(ch * h * w) << 2);
          for (let a = 0; a < oh; a++) {
            const y = a * sh - ph + i;
            if (y < 0 || y >= h || b0 >= b1) { memory.fill(q, 0, runBytes); q += runBytes; continue; }
            if (b0 > 0) memory.fill(q, 0, <usize>b0 << 2);
            const from = plane + (<usize>(y * w + b0 * sw - pw + j) << 2);
            if (sw == 1) copyRun(from, q + (<usize>b0 << 2), b1 - b0);
            else {
              for (let b = b0; b < b1; b++) {
                store<f32>(q + (<usize>b << 2), load<f32>(from + (<usize>((b - b0) * sw) << 2)));
              }
            }
            if (b1 < ow) memory.fill(q + (<usize>b1 << 2), 0, <usize>(ow - b1) << 2);
            q += runBytes;
          }
        }
      }
    }
  }
}

/** dx = 0, then each col value added back to the pixel im2col took it from, in col's order. */
export function col2im(col: usize, dx: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                       sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const image = <usize>(c * h * w) << 2, runBytes = <usize>ow << 2;
  memory.fill(dx, 0, <usize>rows * image);
  let q = col;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const b0 = firstInside(pw, j, sw), b1 = max(b0, endInside(w, pw, j, sw, ow));
        for (let r = 0; r < rows; r++) {
          const plane = dx + <usize>r * image + (<usize>(ch * h * w) << 2);
          for (let a = 0; a < oh; a++) {
            const y = a * sh - ph + i;
            if (y >= 0 && y < h && b0 < b1) {
              const to = plane + (<usize>(y * w + b0 * sw - pw + j) << 2);
              if (sw == 1) addRun(q + (<usize>b0 << 2), to, b1 - b0);
              else {
                for (let b = b0; b < b1; b++) {
                  const at = to + (<usize>((b - b0) * sw) << 2);
                  store<f32>(at, load<f32>(at) + load<f32>(q + (<usize>b << 2)));
                }
              }
            }
            q += runBytes;
          }
        }
      }
    }
  }
}

/** out[r, f, p] = a[f, r·P + p] + bias[f]: runs of P floats. */
export function unpackChannels(a: usize, bias: usize, out: usize, rows: i32, channels: i32, positions: i32): void {
  const run = <usize>positions << 2, body = run & ~15;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < channels; f++) {
      const from = a + (<usize>(f * rows + r) * run), to = out + (<usize>(r * channels + f) * run);
      const b = load<f32>(bias + (<usize>f << 2)), bv = f32x4.splat(b);
      let o: usize = 0;
      for (; o < body; o += 16) v128.store(to + o, f32x4.add(v128.load(from + o), bv));
      for (; o < run; o += 4) store<f32>(to + o, load<f32>(from + o) + b);
    }
  }
}

/**
 * out[f, r·P + p] = a[r, f, p], and sums[f] = Σ of out's row f: value e into lane e mod 4, each
 * lane in order, then (l0 + l1) + (l2 + l3) — the reference's laneSum, one vector add per 4 values.
 */
export function packChannels(a: usize, out: usize, sums: usize, rows: i32, channels: i32, positions: i32): void {
  const run = <usize>positions << 2;
  for (let f = 0; f < channels; f++) {
    const row = out + <usize>f * <usize>rows * run;
    for (let r = 0; r < rows; r++) copyRun(a + (<usize>(r * channels + f) * run), row + <usize>r * run, positions);
    const bytes = <usize>rows * run, body = bytes & ~15;
    let lanes = f32x4.splat(0);
    let o: usize = 0;
    for (; o < body; o += 16) lanes = f32x4.add(lanes, v128.load(row + o));
    let l0 = f32x4.extract_lane(lanes, 0), l1 = f32x4.extract_lane(lanes, 1);
    let l2 = f32x4.extract_lane(lanes, 2);
    const l3 = f32x4.extract_lane(lanes, 3);
    if (o < bytes) l0 += load<f32>(row + o);
    if (o + 4 < bytes) l1 += load<f32>(row + o, 4);
    if (o + 8 < bytes) l2 += load<f32>(row + o, 8);
    store<f32>(sums + (<usize>f << 2), (l0 + l1) + (l2 + l3));
  }
}
