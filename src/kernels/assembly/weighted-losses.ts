// Softmax cross-entropy with a weight per class (class imbalance): the unweighted kernels of rows.ts
// with each row's loss and gradient scaled, sharing their row helpers. Kept apart so the unweighted
// hot path is untouched.
import { parkExps, rowMax } from './rows';

/**
 * Class-index targets: returns Σ_i w[t_i]·(logsumexp(x_i) − x_i[t_i]) and writes
 * dlogits_i = w[t_i]·(softmax(x_i) − onehot(t_i)). In f64 with each exp parked in dlogits as in
 * rows.ts; the logits are read before their slots are written, so dlogits may be the logits.
 */
export function softmaxCrossEntropyWeighted(
  logits: usize,
  targets: usize,
  weights: usize,
  dlogits: usize,
  m: i32,
  n: i32,
): f64 {
  let loss: f64 = 0;
  const width = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const x = logits + <usize>i * width, d = dlogits + <usize>i * width;
    const max = rowMax(x, n);
    const target = <i32>load<f32>(targets + (<usize>i << 2));
    const targetLogit = <f64>load<f32>(x + (<usize>target << 2));
    const weight = <f64>load<f32>(weights + (<usize>target << 2));
    const sumExp = parkExps(x, d, n, max);
    loss += weight * (max + Math.log(sumExp) - targetLogit);
    const scale = 1 / sumExp;
    for (let j = 0; j < n; j++) {
      const p = <f64>load<f32>(d + (<usize>j << 2)) * scale;
      store<f32>(d + (<usize>j << 2), <f32>(weight * (j == target ? p - 1 : p)));
    }
  }
  return loss;
}

/**
 * Dense targets (one-hot rows or distributions): the loss Σ_i Σ_j w_j·t_ij·(logsumexp(x_i) − x_ij)
 * is the unweighted one with targets w ⊙ t, so mass_i = Σ_j w_j·t_ij and
 * dlogits_i = mass_i·softmax(x_i) − w ⊙ t_i. dlogits may be the logits (not the targets).
 */
export function softmaxCrossEntropyDenseWeighted(
  logits: usize,
  targets: usize,
  weights: usize,
  dlogits: usize,
  m: i32,
  n: i32,
): f64 {
  let loss: f64 = 0;
  const width = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const row = <usize>i * width;
    const x = logits + row, t = targets + row, d = dlogits + row;
    let max: f64 = -Infinity, mass: f64 = 0, weighted: f64 = 0;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const xj = <f64>load<f32>(x + o);
      const tj = <f64>load<f32>(weights + o) * <f64>load<f32>(t + o);
      max = Math.max(max, xj);
      mass += tj;
      weighted += tj * xj;
    }
    const sumExp = parkExps(x, d, n, max);
    loss += mass * (max + Math.log(sumExp)) - weighted;
    const scale = mass / sumExp;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const tj = <f64>load<f32>(weights + o) * <f64>load<f32>(t + o);
      store<f32>(d + o, <f32>(<f64>load<f32>(d + o) * scale - tj));
    }
  }
  return loss;
}
