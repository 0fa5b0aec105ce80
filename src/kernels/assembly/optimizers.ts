// Parameter updates over `len` floats, in f32 four lanes at a time with a scalar tail that does
// the same operations in the same order. g' = g + weightDecay·w throughout. Each reads w and its
// state and writes the results to the *Out pointers: the trainer updates from the committed
// buffers into the other ones in one pass, with no copy first. An out may equal its input.

export function sgd(w: usize, g: usize, len: i32, lr: f32, wd: f32, wOut: usize): void {
  const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd);
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    const vw = v128.load(w + o);
    const grad = f32x4.add(v128.load(g + o), f32x4.mul(vwd, vw));
    v128.store(wOut + o, f32x4.sub(vw, f32x4.mul(vlr, grad)));
  }
  for (; o < end; o += 4) {
    const x = load<f32>(w + o);
    store<f32>(wOut + o, x - lr * (load<f32>(g + o) + wd * x));
  }
}

/** v = μ·v − lr·g'; w += v */
export function momentum(w: usize, g: usize, v: usize, len: i32, lr: f32, mu: f32, wd: f32, wOut: usize, vOut: usize): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vwd = f32x4.splat(wd);
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    const vw = v128.load(w + o);
    const grad = f32x4.add(v128.load(g + o), f32x4.mul(vwd, vw));
    const vel = f32x4.sub(f32x4.mul(vmu, v128.load(v + o)), f32x4.mul(vlr, grad));
    v128.store(vOut + o, vel);
    v128.store(wOut + o, f32x4.add(vw, vel));
  }
  for (; o < end; o += 4) {
    const x = load<f32>(w + o);
    const vel = mu * load<f32>(v + o) - lr * (load<f32>(g + o) + wd * x);
    store<f32>(vOut + o, vel);
    store<f32>(wOut + o, x + vel);
  }
}

/** h += g'²; w −= lr·g' / (√h + eps) */
export function adagrad(w: usize, g: usize, h: usize, len: i32, lr: f32, eps: f32, wd: f32, wOut: usize, hOut: usize): void {
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vwd = f32x4.splat(wd);
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    const vw = v128.load(w + o);
    const grad = f32x4.add(v128.load(g + o), f32x4.mul(vwd, vw));
    const acc = f32x4.add(v128.load(h + o), f32x4.mul(grad, grad));
    v128.store(hOut + o, acc);
    v128.store(wOut + o, f32x4.sub(vw, f32x4.div(f32x4.mul(vlr, grad), f32x4.add(f32x4.sqrt(acc), veps))));
  }
  for (; o < end; o += 4) {
    const x = load<f32>(w + o);
    const grad = load<f32>(g + o) + wd * x;
    const acc = load<f32>(h + o) + grad * grad;
    store<f32>(hOut + o, acc);
    store<f32>(wOut + o, x - (lr * grad) / (Mathf.sqrt(acc) + eps));
  }
}

/**
 * m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'², w −= lr·(m/c1) / (√(v/c2) + eps), with the bias
 * corrections c1 = 1−β1^t and c2 = 1−β2^t computed by the caller. The constants arrive as f64 so
 * that 1−β is formed before rounding: 1 − f32(0.999) is 1.3e-5 away from 0.001.
 */
export function adam(w: usize, g: usize, m: usize, v: usize, len: i32, lr: f32, beta1: f64,
                     beta2: f64, eps: f32, wd: f32, c1: f64, c2: f64,
                     wOut: usize, mOut: usize, vOut: usize): void {
  const b1 = <f32>beta1, b2 = <f32>beta2, r1 = <f32>(1 - beta1), r2 = <f32>(1 - beta2);
  const k1 = <f32>c1, k2 = <f32>c2;
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vwd = f32x4.splat(wd);
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vr1 = f32x4.splat(r1), vr2 = f32x4.splat(r2);
  const vc1 = f32x4.splat(k1), vc2 = f32x4.splat(k2);
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    const vw = v128.load(w + o);
    const grad = f32x4.add(v128.load(g + o), f32x4.mul(vwd, vw));
    const mo = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vr1, grad));
    const ve = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vr2, grad), grad));
    v128.store(mOut + o, mo);
    v128.store(vOut + o, ve);
    const step = f32x4.mul(vlr, f32x4.div(mo, vc1));
    v128.store(wOut + o, f32x4.sub(vw, f32x4.div(step, f32x4.add(f32x4.sqrt(f32x4.div(ve, vc2)), veps))));
  }
  for (; o < end; o += 4) {
    const x = load<f32>(w + o);
    const grad = load<f32>(g + o) + wd * x;
    const mo = b1 * load<f32>(m + o) + r1 * grad;
    const ve = b2 * load<f32>(v + o) + r2 * grad * grad;
    store<f32>(mOut + o, mo);
    store<f32>(vOut + o, ve);
    store<f32>(wOut + o, x - (lr * (mo / k1)) / (Mathf.sqrt(ve / k2) + eps));
  }
}
