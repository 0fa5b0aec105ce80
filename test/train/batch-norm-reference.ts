/**
 * An independent float64 reference for the batch-norm trainer tests: the net
 * affine(F→H) → batch-norm → relu → affine(H→C) → softmax-cross-entropy, trained by plain SGD on the
 * trainer's batches, written out by hand from the textbook formulas (nothing from src/layers or
 * src/train). `groups` decides over which rows a batch's statistics are taken: the whole batch (what
 * the trainer must do), or each chunk alone (what it must NOT do: the negative control).
 */
import type { NamedTensor } from '../../src/io/safetensors.ts';

export interface ReferenceNet {
  features: number;
  hidden: number;
  classes: number;
  epsilon: number;
  momentum: number;
  learningRate: number;
}

type Weights = Record<string, Float64Array>;

export function widenWeights(weights: Record<string, NamedTensor>): Weights {
  return Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, Float64Array.from(t.data)]));
}

/**
 * One SGD step on the rows `batch` (dataset indices) of `inputs`/`targets`; `groups` are [start, end)
 * pieces of the batch, each normalized with its own statistics. Updates `w` in place.
 */
export function referenceStep(
  net: ReferenceNet,
  w: Weights,
  inputs: Float32Array,
  targets: ArrayLike<number>,
  batch: readonly number[],
  groups: readonly [number, number][],
): void {
  const { features: F, hidden: H, classes: C, epsilon } = net;
  const N = batch.length;
  const W0 = w['layers.0.weight'];
  const b0 = w['layers.0.bias'];
  const gamma = w['layers.1.gamma'];
  const beta = w['layers.1.beta'];
  const W1 = w['layers.3.weight'];
  const b1 = w['layers.3.bias'];
  const h = new Float64Array(N * H);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < H; j++) {
      let sum = b0[j];
      for (let f = 0; f < F; f++) sum += inputs[batch[i] * F + f] * W0[f * H + j];
      h[i * H + j] = sum;
    }
  const xhat = new Float64Array(N * H);
  const inverse = new Float64Array(N * H); // 1/σ of the row's group, per feature
  const batchMean = new Float64Array(H);
  const batchVariance = new Float64Array(H);
  for (const [start, end] of groups) {
    const n = end - start;
    for (let j = 0; j < H; j++) {
      let mean = 0;
      for (let i = start; i < end; i++) mean += h[i * H + j] / n;
      let variance = 0;
      for (let i = start; i < end; i++) variance += (h[i * H + j] - mean) ** 2 / n;
      batchMean[j] += (mean * n) / N;
      batchVariance[j] += (variance * n) / N; // exact for one group (the whole batch)
      for (let i = start; i < end; i++) {
        inverse[i * H + j] = 1 / Math.sqrt(variance + epsilon);
        xhat[i * H + j] = (h[i * H + j] - mean) * inverse[i * H + j];
      }
    }
  }
  const a = xhat.map((v, k) => Math.max(0, gamma[k % H] * v + beta[k % H]));
  // dlogits = (softmax − onehot)/N: the gradient of the MEAN loss over the batch.
  const dlogits = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const logits = Array.from({ length: C }, (_, c) => {
      let sum = b1[c];
      for (let j = 0; j < H; j++) sum += a[i * H + j] * W1[j * C + c];
      return sum;
    });
    const top = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - top));
    const total = exps.reduce((x, y) => x + y, 0);
    for (let c = 0; c < C; c++) dlogits[i * C + c] = (exps[c] / total - (targets[batch[i]] === c ? 1 : 0)) / N;
  }
  const dW1 = new Float64Array(H * C);
  const db1 = new Float64Array(C);
  const dy = new Float64Array(N * H);
  for (let i = 0; i < N; i++)
    for (let c = 0; c < C; c++) {
      db1[c] += dlogits[i * C + c];
      for (let j = 0; j < H; j++) {
        dW1[j * C + c] += a[i * H + j] * dlogits[i * C + c];
        if (a[i * H + j] > 0) dy[i * H + j] += dlogits[i * C + c] * W1[j * C + c];
      }
    }
  const dgamma = new Float64Array(H);
  const dbeta = new Float64Array(H);
  const dh = new Float64Array(N * H);
  for (const [start, end] of groups) {
    const n = end - start;
    for (let j = 0; j < H; j++) {
      let sumD = 0;
      let sumDX = 0;
      for (let i = start; i < end; i++) {
        dgamma[j] += dy[i * H + j] * xhat[i * H + j];
        dbeta[j] += dy[i * H + j];
        sumD += dy[i * H + j] * gamma[j];
        sumDX += dy[i * H + j] * gamma[j] * xhat[i * H + j];
      }
      for (let i = start; i < end; i++) {
        const k = i * H + j;
        dh[k] = (inverse[k] / n) * (n * dy[k] * gamma[j] - sumD - xhat[k] * sumDX);
      }
    }
  }
  const dW0 = new Float64Array(F * H);
  const db0 = new Float64Array(H);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < H; j++) {
      db0[j] += dh[i * H + j];
      for (let f = 0; f < F; f++) dW0[f * H + j] += inputs[batch[i] * F + f] * dh[i * H + j];
    }
  const sgd = (param: Float64Array, grad: Float64Array) =>
    param.forEach((v, k) => (param[k] = v - net.learningRate * grad[k]));
  sgd(W0, dW0);
  sgd(b0, db0);
  sgd(gamma, dgamma);
  sgd(beta, dbeta);
  sgd(W1, dW1);
  sgd(b1, db1);
  const { momentum } = net;
  const runningMean = w['layers.1.running_mean'];
  const runningVariance = w['layers.1.running_var'];
  for (let j = 0; j < H; j++) {
    runningMean[j] = momentum * runningMean[j] + (1 - momentum) * batchMean[j];
    runningVariance[j] = momentum * runningVariance[j] + (1 - momentum) * batchVariance[j];
  }
}

/** Evaluation mode: logits of `rows` rows, normalized with the running statistics. */
export function referenceEvaluation(net: ReferenceNet, w: Weights, inputs: Float32Array, rows: number): Float64Array {
  const { features: F, hidden: H, classes: C, epsilon } = net;
  const out = new Float64Array(rows * C);
  for (let i = 0; i < rows; i++) {
    const a = Array.from({ length: H }, (_, j) => {
      let sum = w['layers.0.bias'][j];
      for (let f = 0; f < F; f++) sum += inputs[i * F + f] * w['layers.0.weight'][f * H + j];
      const xhat = (sum - w['layers.1.running_mean'][j]) / Math.sqrt(w['layers.1.running_var'][j] + epsilon);
      return Math.max(0, w['layers.1.gamma'][j] * xhat + w['layers.1.beta'][j]);
    });
    for (let c = 0; c < C; c++) {
      let sum = w['layers.3.bias'][c];
      for (let j = 0; j < H; j++) sum += a[j] * w['layers.3.weight'][j * C + c];
      out[i * C + c] = sum;
    }
  }
  return out;
}
