// Max and average pooling per channel, in the order of src/kernels/reference-window.ts (sample,
// channel, window row, window column; inside a window row-major). The window is clipped to the
// image (pools run without padding, but the geometry allows it: padding is skipped by max and
// counts as zeros in the mean, as the reference does).

/**
 * The 2×2, stride 2 windows of one output row, four at a time: the four candidates of each window
 * in row-major order, each taken where strictly larger (as the scalar loop: the first of equal
 * values wins, and a NaN never replaces). Returns how many outputs it wrote (a multiple of 4).
 */
function maxPool2x2Row(x: usize, y: usize, argmax: usize, top: i32, w: i32, ow: i32): i32 {
  const lanes = i32x4(0, 2, 4, 6), one = i32x4.splat(1);
  let b = 0;
  for (; b + 4 <= ow; b += 4) {
    const at0 = top + 2 * b, at1 = at0 + w;
    const p0 = x + (<usize>at0 << 2), p1 = x + (<usize>at1 << 2);
    const a0 = v128.load(p0), a1 = v128.load(p0, 16), c0 = v128.load(p1), c1 = v128.load(p1, 16);
    const i00 = i32x4.add(i32x4.splat(at0), lanes), i10 = i32x4.add(i32x4.splat(at1), lanes);
    let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), where = i00;
    let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    let m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m); where = v128.bitselect(i32x4.add(i00, one), where, m);
    v = v128.shuffle<f32>(c0, c1, 0, 2, 4, 6);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m); where = v128.bitselect(i10, where, m);
    v = v128.shuffle<f32>(c0, c1, 1, 3, 5, 7);
    m = f32x4.gt(v, best);
    best = v128.bitselect(v, best, m); where = v128.bitselect(i32x4.add(i10, one), where, m);
    const q = <usize>b << 2;
    v128.store(y + q, best);
    v128.store(argmax + q, where);
  }
  return b;
}

/** y = the window's largest value (the first on ties), argmax = its index into x. */
export function maxPool(x: usize, y: usize, argmax: usize, rows: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
                        sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const pairs = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  let o: usize = 0;
  for (let plane = 0; plane < rows * c; plane++) {
    const base = plane * h * w;
    for (let a = 0; a < oh; a++) {
      const y0 = a * sh - ph, i0 = max(0, -y0), i1 = min(kh, h - y0);
      let b = 0;
      if (pairs) { b = maxPool2x2Row(x, y + o, argmax + o, base + 2 * a * w, w, ow); o += <usize>b << 2; }
      for (; b < ow; b++) {
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
