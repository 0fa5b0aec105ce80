import { viewOf, type Tensor } from '../tensor.ts';
import {
  finishStatistics,
  gradientPartial,
  inverseStd,
  normalizeBackward,
  normalizeRows,
  statisticsPartial,
  updateRunningStatistics,
} from './batch-stats.ts';
import { cached, type ForwardMode, type Layer, type LayerContext, type Param } from './layer.ts';

/** The statistics evaluation uses; they live wherever the caller keeps them (the trainer: shared memory). */
export interface RunningStatistics {
  /** Read at every forward: a holder may point them at another buffer between forwards. */
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

export interface BatchNormOptions {
  /** Weight of the old running value in each update (the book's and Keras's convention; PyTorch's 0.1 is 0.9 here). */
  readonly momentum: number;
  readonly epsilon: number;
}

/**
 * Batch normalization (Ioffe & Szegedy 2015; the book's BatchNormalization), per feature over the
 * rows of the batch, on a batch that is ONE chunk (the chunked form is the pure functions of
 * batch-stats.ts, which this layer composes for the single-chunk case):
 *   training     μ, σ² of the batch (biased), x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β, and the running
 *                statistics move toward μ, σ² by `momentum`
 *   evaluation   the same with the running mean and variance in place of the batch's
 * Backward in training: dx = γ/(N·√(σ² + ε)) · (N·dout − Σdout − x̂·Σ dout·x̂), dγ = Σ dout·x̂, dβ = Σ dout.
 * Backward after an evaluation forward (a fixed affine map): dx = dout·γ/√(σ² + ε).
 *
 * When the training pass carries `batchStatistics` (the trainer, whose batch is cut into chunks),
 * μ, σ² and the backward sums are the whole batch's, from there; the running statistics are then
 * left alone (the trainer moves them once per step), and dγ, dβ are this chunk's share.
 */
export class BatchNorm implements Layer {
  readonly params: readonly Param[];
  private shape?: readonly number[];
  private trained = false;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;
  private readonly normalized: Float32Array;
  // Per-feature float64 scratch, made once (2·D and D entries).
  private readonly partial: Float64Array;
  private readonly sums: Float64Array;
  private readonly mean: Float64Array;
  private readonly variance: Float64Array;
  private readonly inverse: Float64Array;

  constructor(
    readonly features: number,
    readonly gamma: Param,
    readonly beta: Param,
    readonly running: RunningStatistics,
    readonly options: BatchNormOptions,
    maxRows: number,
    { alloc }: LayerContext,
    private readonly mode: ForwardMode,
    /** The layer's position in the chain: how it asks for the whole batch's statistics. */
    readonly index = 0,
  ) {
    this.params = [gamma, beta];
    this.out = alloc.floats(maxRows * features);
    this.dx = alloc.floats(maxRows * features);
    this.normalized = alloc.floats(maxRows * features);
    this.partial = new Float64Array(2 * features);
    this.sums = new Float64Array(2 * features);
    this.mean = new Float64Array(features);
    this.variance = new Float64Array(features);
    this.inverse = new Float64Array(features);
  }

  forward(x: Tensor): Tensor {
    const n = this.features;
    const rows = x.shape[0];
    if (x.data.length !== rows * n) throw new Error(`BatchNorm: expected ${n} features per row, got [${x.shape}]`);
    this.shape = x.shape;
    this.trained = this.mode.pass !== null;
    const batch = this.mode.pass?.batchStatistics;
    if (batch) {
      batch.forward(this.index, this.mean, this.variance);
    } else if (this.trained) {
      statisticsPartial(x.data, rows, n, this.partial);
      finishStatistics([this.partial], rows, this.sums, this.mean, this.variance);
      updateRunningStatistics(
        this.running.mean,
        this.running.variance,
        this.mean,
        this.variance,
        this.options.momentum,
      );
    } else {
      this.mean.set(this.running.mean);
      this.variance.set(this.running.variance);
    }
    inverseStd(this.variance, this.options.epsilon, this.inverse);
    const y = viewOf(this.out, x.shape);
    normalizeRows(x.data, rows, this.mean, this.inverse, this.gamma.value, this.beta.value, this.normalized, y.data);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const shape = cached(this.shape, 'BatchNorm');
    const n = this.features;
    const rows = shape[0];
    const dx = viewOf(this.dx, shape);
    gradientPartial(dout.data, this.normalized, rows, n, this.sums);
    for (let j = 0; j < n; j++) {
      this.beta.grad[j] = this.sums[j];
      this.gamma.grad[j] = this.sums[n + j];
    }
    const batch = this.trained ? this.mode.pass?.batchStatistics : undefined;
    if (batch) {
      batch.backward(this.index, this.sums);
      normalizeBackward(
        dout.data,
        this.normalized,
        rows,
        batch.count,
        this.gamma.value,
        this.inverse,
        this.sums,
        dx.data,
      );
    } else if (this.trained) {
      normalizeBackward(dout.data, this.normalized, rows, rows, this.gamma.value, this.inverse, this.sums, dx.data);
    } else {
      const gamma = this.gamma.value;
      for (let i = 0; i < rows * n; i++) dx.data[i] = dout.data[i] * gamma[i % n] * this.inverse[i % n];
    }
    return [dx];
  }

  /** This chunk's [Σdout | Σdout·x̂] after a training forward: its share of the batch's backward sums. */
  gradientPartial(dout: Tensor, out: Float64Array): void {
    const rows = cached(this.shape, 'BatchNorm')[0];
    gradientPartial(dout.data, this.normalized, rows, this.features, out);
  }
}
