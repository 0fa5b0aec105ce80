// Max and average pooling per channel, in the order of src/kernels/reference-window.ts (sample,
// channel, window row, window column; inside a window row-major). The window is clipped to the
// image (pools run without padding, but the geometry allows it: padding is skipped by max and
// counts as zeros in the mean, as the reference does).

/** y = the window's largest value (the first on ties), argmax = its index into x. */
export function maxPool(x: usize, y: usize, argmax: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                        sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  let o: usize = 0;
  for (let plane = 0; plane < rows * c; plane++) {
    const base = plane * h * w;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph, i0 = max(0, -y0), i1 = min(kh, h - y0);
      for (let b = 0; b < ow; b++) {
        const x0 = b * sw - pw, j0 = max(0, -x0), j1 = min(kw, w - x0);
        let best: f32 = -Infinity, where: i32 = -1;
        for (let i = i0; i < i1; i++) {
          const row = base + (y0 + i) * w + x0;
          for (let j = j0; j < j1; j++) {
            const v = load<f32>(x + (<usize>(row + j) << 2));
            if (where < 0 || v > best) { best = v; where = row + j; }
          }
        }
        store<f32>(y + o, best);
        store<u32>(argmax + o, <u32>where);
        o += 4;
      }
    }
  }
}

/**
 * dx = 0, then dx[argmax[o]] += dout[o] in output order. Returns 0 (and skips it) if an index lies
 * outside dx, which only a stale or foreign argmax can hold: never a write outside dx.
 */
export function maxPoolBackward(dout: usize, argmax: usize, dx: usize, rows: i32, c: i32, h: i32, w: i32,
                                outputs: i32): i32 {
  const size = <u32>(rows * c * h * w);
  memory.fill(dx, 0, <usize>size << 2);
  const end = <usize>outputs << 2;
  let ok = 1;
  for (let o: usize = 0; o < end; o += 4) {
    const index = load<u32>(argmax + o);
    if (index >= size) { ok = 0; continue; }
    const at = dx + (<usize>index << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dout + o));
  }
  return ok;
}

/** y = Σ window / (kh·kw), summed row-major in f32. */
export function avgPool(x: usize, y: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                        sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const area = <f32>(kh * kw);
  let o: usize = 0;
  for (let plane = 0; plane < rows * c; plane++) {
    const base = plane * h * w;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph, i0 = max(0, -y0), i1 = min(kh, h - y0);
      for (let b = 0; b < ow; b++) {
        const x0 = b * sw - pw, j0 = max(0, -x0), j1 = min(kw, w - x0);
        let sum: f32 = 0;
        for (let i = i0; i < i1; i++) {
          const row = base + (y0 + i) * w + x0;
          for (let j = j0; j < j1; j++) sum += load<f32>(x + (<usize>(row + j) << 2));
        }
        store<f32>(y + o, sum / area);
        o += 4;
      }
    }
  }
}

/** dx = 0, then each window's dout / (kh·kw) added to its pixels, in output order. */
export function avgPoolBackward(dout: usize, dx: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                                sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const area = <f32>(kh * kw);
  memory.fill(dx, 0, <usize>(rows * c * h * w) << 2);
  let o: usize = 0;
  for (let plane = 0; plane < rows * c; plane++) {
    const base = plane * h * w;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph, i0 = max(0, -y0), i1 = min(kh, h - y0);
      for (let b = 0; b < ow; b++) {
        const x0 = b * sw - pw, j0 = max(0, -x0), j1 = min(kw, w - x0);
        const share = load<f32>(dout + o) / area;
        for (let i = i0; i < i1; i++) {
          const row = base + (y0 + i) * w + x0;
          for (let j = j0; j < j1; j++) {
            const at = dx + (<usize>(row + j) << 2);
            store<f32>(at, load<f32>(at) + share);
          }
        }
        o += 4;
      }
    }
  }
}
