// Bias helpers over an m×n row-major matrix, and the softmax/cross-entropy loss.

/** out[i,j] += row[j] */
export function addRow(out: usize, row: usize, m: i32, n: i32): void {
  const width = <usize>n << 2, body = width & ~15;
  let r = out;
  for (let i = 0; i < m; i++) {
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(r + o, f32x4.add(v128.load(r + o), v128.load(row + o)));
    for (; o < width; o += 4) store<f32>(r + o, load<f32>(r + o) + load<f32>(row + o));
    r += width;
  }
}

/** out[j] = Σ_i a[i,j], summed in row order. */
export function sumRows(a: usize, out: usize, m: i32, n: i32): void {
  const width = <usize>n << 2, body = width & ~15;
  memory.fill(out, 0, width);
  let r = a;
  for (let i = 0; i < m; i++) {
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(r + o)));
    for (; o < width; o += 4) store<f32>(out + o, load<f32>(out + o) + load<f32>(r + o));
    r += width;
  }
}

/** The largest of the n f32 values at x, in f64. */
@inline export function rowMax(x: usize, n: i32): f64 {
  let max: f64 = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, <f64>load<f32>(x + (<usize>j << 2)));
  return max;
}

/** Parks exp(x_j − max) in d_j as f32 (d may be x) and returns the f64 sum of the exps. */
@inline export function parkExps(x: usize, d: usize, n: i32, max: f64): f64 {
  let sumExp: f64 = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(<f64>load<f32>(x + (<usize>j << 2)) - max);
    store<f32>(d + (<usize>j << 2), <f32>e);
    sumExp += e;
  }
  return sumExp;
}

/**
 * dlogits = softmax(logits) − onehot(targets) per row; returns Σ_i −log softmax(x_i)[t_i].
 * Computed in f64 like the reference: the rows are short (one logit per class), so precision
 * costs nothing measurable here. Targets are class indices stored as floats. Each exp(x − max)
 * is taken once and parked in dlogits as f32 until the sum is known (exp dominates this kernel;
 * docs/performance.md); the f32 rounding adds at most an ulp to the f32 result.
 */
export function softmaxCrossEntropy(logits: usize, targets: usize, dlogits: usize, m: i32, n: i32): f64 {
  let loss: f64 = 0;
  const width = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const x = logits + <usize>i * width, d = dlogits + <usize>i * width;
    const max = rowMax(x, n);
    // Read before parkExps writes d, which may be the logits themselves.
    const target = <i32>load<f32>(targets + (<usize>i << 2));
    const targetLogit = <f64>load<f32>(x + (<usize>target << 2));
    const sumExp = parkExps(x, d, n, max);
    loss += max + Math.log(sumExp) - targetLogit;
    const scale = 1 / sumExp;
    for (let j = 0; j < n; j++) {
      const p = <f64>load<f32>(d + (<usize>j << 2)) * scale;
      store<f32>(d + (<usize>j << 2), <f32>(j == target ? p - 1 : p));
    }
  }
  return loss;
}

/**
 * The same loss with targets as an m×n matrix (one-hot rows or any distribution): returns
 * Σ_i Σ_j t_ij·(logsumexp(x_i) − x_ij) = Σ_i (mass_i·logsumexp(x_i) − Σ_j t_ij·x_ij), mass_i = Σ_j t_ij,
 * and writes dlogits = mass_i·softmax(x_i) − t_i. In f64 with each exp parked in dlogits, as above;
 * every logit is read before its slot is written, so dlogits may be the logits (not the targets).
 */
export function softmaxCrossEntropyDense(logits: usize, targets: usize, dlogits: usize, m: i32, n: i32): f64 {
  let loss: f64 = 0;
  const width = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const row = <usize>i * width;
    const x = logits + row, t = targets + row, d = dlogits + row;
    let max: f64 = -Infinity, mass: f64 = 0, weighted: f64 = 0;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const xj = <f64>load<f32>(x + o), tj = <f64>load<f32>(t + o);
      max = Math.max(max, xj);
      mass += tj;
      weighted += tj * xj;
    }
    const sumExp = parkExps(x, d, n, max);
    loss += mass * (max + Math.log(sumExp)) - weighted;
    const scale = mass / sumExp;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(d + o, <f32>(<f64>load<f32>(d + o) * scale - <f64>load<f32>(t + o)));
    }
  }
  return loss;
}
