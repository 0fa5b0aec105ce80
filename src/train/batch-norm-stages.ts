import { finishStatistics, statisticsPartial, sumPartials, updateRunningStatistics } from '../layers/batch-stats.ts';
import type { BatchNorm } from '../layers/batch-norm.ts';
import type { BatchStatistics, TrainingPass } from '../layers/layer.ts';
import type { Targets } from '../layers/losses.ts';
import type { ChainModel } from '../model/chain.ts';
import type { ModelPlan } from '../model/plan.ts';
import type { Tensor } from '../tensor.ts';

/**
 * The statistics stages of a training step of a model with batch-norm layers b_0 < … < b_{K−1}
 * (docs/protocol.md, "Statistics phases"). Each stage is a STATS phase: every chunk computes its
 * partial sums for one layer, and the next phase may start only when all chunks' partials are
 * written, so any thread can finish a layer's statistics by summing the C partials in chunk order:
 *
 *   stage k (0 ≤ k < K)       forward to b_k (earlier layers normalized with finished statistics),
 *                             write [Σx | Σx²] of b_k's input
 *   stage 2K−1−k (K ≤ … < 2K) forward everything, backward down to b_k (later layers with finished
 *                             backward sums), write [Σdout | Σdout·x̂] of b_k
 *   then TRAIN                forward and backward of the whole chain with every finished sum
 *
 * A chunk is recomputed from its input in every stage (option A): the arithmetic is deterministic,
 * so the activations are the same bits each time, and no thread has to own a chunk across phases.
 */
export class BatchNormStages implements BatchStatistics {
  /** Rows of the batch of the current step (set before any chunk of it is computed). */
  count = 0;
  /** Chain positions of the batch-norm layers, in order. */
  readonly layers: readonly number[];
  private readonly features: readonly number[];
  private readonly momentum: readonly number[];
  /** Where each layer's running mean and variance sit in the flat buffer vector. */
  private readonly running: readonly { mean: number; variance: number }[];
  /** [k][c]: chunk c's partials of layer b_k (2·D float64 each), forward and backward. */
  private readonly forwardPartials: Float64Array[][];
  private readonly backwardPartials: Float64Array[][];
  private readonly sums: Float64Array[];
  private readonly mean: Float64Array[];
  private readonly variance: Float64Array[];

  constructor(plan: ModelPlan, chunks: number, region: Float64Array) {
    const layers: number[] = [];
    const momentum: number[] = [];
    plan.config.layers.forEach((layer, i) => {
      if (layer.type !== 'batch-norm') return;
      layers.push(i);
      momentum.push(layer.momentum);
    });
    this.layers = layers;
    this.momentum = momentum;
    this.features = layers.map((i) => plan.shapes[i].reduce((a, b) => a * b, 1));
    const offsetOf = (name: string) => plan.buffers.find((b) => b.name === name)!.offset;
    this.running = layers.map((i) => ({
      mean: offsetOf(`layers.${i}.running_mean`),
      variance: offsetOf(`layers.${i}.running_var`),
    }));
    let offset = 0;
    const partials = () =>
      this.features.map((d) => Array.from({ length: chunks }, () => region.subarray(offset, (offset += 2 * d))));
    this.forwardPartials = partials();
    this.backwardPartials = partials();
    this.sums = this.features.map((d) => new Float64Array(2 * d));
    this.mean = this.features.map((d) => new Float64Array(d));
    this.variance = this.features.map((d) => new Float64Array(d));
  }

  /** STATS phases per training step: one forward and one backward stage per batch-norm layer. */
  get stageCount(): number {
    return 2 * this.layers.length;
  }

  forward(layer: number, mean: Float64Array, variance: Float64Array): void {
    const k = this.position(layer);
    finishStatistics(this.forwardPartials[k], this.count, this.sums[k], mean, variance);
  }

  backward(layer: number, sums: Float64Array): void {
    sumPartials(this.backwardPartials[this.position(layer)], sums);
  }

  /** Stage `stage` of chunk c, whose rows are `x` (with `targets`); the model is bound to this step's parameters. */
  runStage(stage: number, c: number, model: ChainModel, x: Tensor, targets: Targets, pass: TrainingPass): void {
    const K = this.layers.length;
    const rows = x.shape[0];
    if (stage < K) {
      const input = model.forwardTo(x, this.layers[stage], pass);
      statisticsPartial(input.data, rows, this.features[stage], this.forwardPartials[stage][c]);
      return;
    }
    const k = 2 * K - 1 - stage;
    model.forwardLoss(x, targets, pass);
    const dout = model.backwardTo(this.layers[k]);
    (model.layers[this.layers[k]] as BatchNorm).gradientPartial(dout, this.backwardPartials[k][c]);
  }

  /** A chunk with no rows (a short last batch) adds exact zeros. */
  emptyChunk(stage: number, c: number): void {
    const K = this.layers.length;
    if (stage < K) this.forwardPartials[stage][c].fill(0);
    else this.backwardPartials[2 * K - 1 - stage][c].fill(0);
  }

  /**
   * The step's update of the running statistics of a batch of `count` rows, once per step (by
   * whoever reduces range 0, which may have computed no chunk of this step: hence `count`): reads
   * the committed copy `buffers[current]`, writes the other one, which the coordinator makes current
   * together with the parameters.
   */
  updateRunning(count: number, buffers: readonly Float32Array[], current: number): void {
    const [from, to] = [buffers[current], buffers[1 - current]];
    this.count = count;
    to.set(from);
    this.layers.forEach((layer, k) => {
      const d = this.features[k];
      const { mean, variance } = this.running[k];
      this.forward(layer, this.mean[k], this.variance[k]);
      const runningMean = to.subarray(mean, mean + d);
      const runningVariance = to.subarray(variance, variance + d);
      updateRunningStatistics(runningMean, runningVariance, this.mean[k], this.variance[k], this.momentum[k]);
    });
  }

  private position(layer: number): number {
    const k = this.layers.indexOf(layer);
    if (k < 0) throw new Error(`layer ${layer} is not a batch-norm layer of this model`);
    return k;
  }
}

/** Float64 entries of the partial sums of a model's batch-norm layers for `chunks` chunks (0 without any). */
export function batchNormPartialCount(plan: ModelPlan, chunks: number): number {
  let total = 0;
  plan.config.layers.forEach((layer, i) => {
    if (layer.type === 'batch-norm') total += 4 * chunks * plan.shapes[i].reduce((a, b) => a * b, 1);
  });
  return total;
}
