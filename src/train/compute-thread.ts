import { selectKernels } from '../kernels/select.ts';
import type { Kernels } from '../kernels/types.ts';
import { prefix } from '../tensor.ts';
import type { TrainingPass } from '../layers/layer.ts';
import type { Targets } from '../layers/losses.ts';
import type { ChainModel } from '../model/chain.ts';
import { planModel } from '../model/plan.ts';
import { arenaViews, bumpAllocator, type ArenaViews } from './arena.ts';
import { clipFactor, globalNorm, scaleGradient, sumOfSquares } from './clip.ts';
import { Slot } from './control.ts';
import { StepFailure } from '../errors.ts';
import { BatchNormStages } from './batch-norm-stages.ts';
import { applyOptimizer, cutPieces, decayPieces, type CutPiece, type OptimizerVectors } from './optimizer.ts';
import { absoluteErrorSum } from './regression-metrics.ts';
import { learningRateAt } from './schedule.ts';
import type { Phase, PhaseWork } from './phase.ts';
import { chunkBounds, rangeBounds } from './partition.ts';
import type { RunSetup } from './setup.ts';
import { gatherTrainRows, testRows } from './input-rows.ts';
import { buildThreadModel } from './thread-model.ts';

/** Counts rows whose largest output is the target class (ties go to the first). */
function countCorrect(output: Float32Array, targets: Float32Array, rows: number, classes: number): number {
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (output[i * classes + j] > output[i * classes + best]) best = j;
    if (best === targets[i]) correct++;
  }
  return correct;
}

/**
 * The work of one compute thread — the coordinator's or a worker's: forward and backward on
 * training chunks (gradient SUMS into the chunk's slot), evaluation chunks, and reduce ranges.
 * What a chunk computes depends only on the chunk, never on the thread: that is what makes the
 * weights bitwise identical for any number of workers.
 */
export class ComputeThread implements PhaseWork {
  readonly views: ArenaViews;
  readonly kernels: Kernels;
  private readonly model: ChainModel;
  private readonly input: Float32Array;
  private readonly targets: Float32Array;
  private readonly slotGradients: Float32Array[][];
  private readonly paramValues: Float32Array[][];
  private readonly rangeSlots: Float32Array[][];
  private readonly rangeGrads: Float32Array[];
  /** [buffer][range]: that range of the parameters and of each optimizer-state vector. */
  private readonly rangeVectors: OptimizerVectors[][];
  /**
   * [buffer][range]: which of the range's elements weight decay applies to (optimizer.applyTo),
   * with their views for a step that reads that buffer, cut once here rather than on every step.
   */
  private readonly rangePieces: CutPiece[][][];
  /** What a training forward tells the layers (dropout's mask key): step and rows, set per chunk. */
  private readonly pass: { -readonly [K in keyof TrainingPass]: TrainingPass[K] };
  /** Batch norm's statistics stages, or null for a model without batch norm (one TRAIN phase per step). */
  private readonly batchNorm: BatchNormStages | null;
  /** [buffer]: views of the running statistics in buffer 0 or 1 (committed with the parameters). */
  private readonly bufferViews: Float32Array[][];

  constructor(
    memory: WebAssembly.Memory,
    private readonly setup: RunSetup,
    threadIndex: number,
  ) {
    this.views = arenaViews(memory, setup.layout);
    this.kernels = selectKernels(setup.kernels, memory);
    const plan = planModel(setup.model, setup.inputShape);
    const alloc = bumpAllocator(this.views.scratch[threadIndex]);
    ({
      input: this.input,
      targets: this.targets,
      model: this.model,
    } = buildThreadModel(
      plan,
      setup.maxRows,
      this.kernels,
      alloc,
      this.views.params[0],
      this.views.slots[0],
      setup.targetWidth,
      this.views.buffers[0],
    ));
    const classWeights = setup.classWeighted ? this.views.classWeights : undefined;
    this.pass = { seed: setup.seed, step: 0, samples: this.views.order, first: 0, classWeights };
    this.batchNorm = plan.bufferCount > 0 ? new BatchNormStages(plan, setup.chunks, this.views.batchNorm) : null;
    if (this.batchNorm) this.pass.batchStatistics = this.batchNorm;
    this.bufferViews = this.views.buffers.map((buffer) => this.model.buffersOf(buffer));
    this.slotGradients = this.views.slots.map((slot) => this.model.viewsOf(slot));
    this.paramValues = this.views.params.map((buffer) => this.model.viewsOf(buffer));
    const ranges = Array.from({ length: setup.rangeCount }, (_, r) =>
      rangeBounds(plan.paramCount, setup.rangeCount, r),
    );
    this.rangeSlots = ranges.map(([a, b]) => this.views.slots.map((slot) => slot.subarray(a, b)));
    this.rangeGrads = ranges.map(([a, b]) => this.views.grads.subarray(a, b));
    this.rangeVectors = this.views.params.map((buffer, i) =>
      ranges.map(([a, b]) => ({
        params: buffer.subarray(a, b),
        state: this.views.optimizerState[i].map((v) => v.subarray(a, b)),
      })),
    );
    const decay = ranges.map(([a, b]) => decayPieces(plan.params, setup.optimizer, a, b));
    this.rangePieces = this.rangeVectors.map((vectors, current) =>
      vectors.map((from, r) => cutPieces(decay[r], from, this.rangeVectors[1 - current][r], this.rangeGrads[r])),
    );
  }

  /** Forward + backward on training chunk c of the phase's batch; gradient sums into slot c. */
  trainChunk(phase: Phase, c: number): void {
    const { features, classes, chunks } = this.setup;
    if (c >= chunks || phase.chunks !== chunks) throw outOfRange(phase, `chunk ${c}`, chunks);
    const [start, end] = chunkBounds(phase.batchSize, chunks, c);
    const rows = end - start;
    const stats = this.views.stats;
    if (this.batchNorm) this.batchNorm.count = phase.batchSize;
    if (rows === 0) {
      this.views.slots[c].fill(0); // an empty chunk adds exact zeros to the reduce
      stats.fill(0, 3 * c, 3 * c + 3);
      return;
    }
    const { order, trainTargets } = this.views;
    gatherTrainRows(this.kernels, this.views, phase.batchStart + start, rows, features, this.input);
    const width = this.setup.targetWidth;
    this.kernels.gatherRows(trainTargets, order, phase.batchStart + start, rows, width, this.targets);
    this.model.bindValues(this.paramValues[phase.params]);
    this.model.bindGradients(this.slotGradients[c]);
    const x = { shape: [rows, features], data: prefix(this.input, rows * features) };
    this.pass.step = phase.step;
    this.pass.first = phase.batchStart + start;
    const { output, lossSum } = this.model.forwardLoss(x, this.targetsOf(this.targets, rows), this.pass);
    this.model.backward();
    stats[3 * c] = lossSum;
    stats[3 * c + 1] = this.secondStat(output.data, this.targets, rows, classes);
    stats[3 * c + 2] = rows;
  }

  /**
   * Forward only on rows [e·maxRows, …) of the evaluated split — rows [batchStart, batchStart +
   * batchSize) of the evaluation region (the test split, then the validation split): loss sum and
   * correct count.
   */
  evalChunk(phase: Phase, e: number): void {
    const { features, classes, maxRows } = this.setup;
    const start = phase.batchStart + e * maxRows;
    const rows = Math.min(maxRows, phase.batchStart + phase.batchSize - start);
    if (e >= phase.chunks || rows <= 0) throw outOfRange(phase, `evaluation chunk ${e}`, phase.chunks);
    const x = { shape: [rows, features], data: testRows(this.kernels, this.views, start, rows, features, this.input) };
    const width = this.setup.targetWidth;
    const targets = this.views.testTargets.subarray(start * width, (start + rows) * width);
    this.model.bindValues(this.paramValues[phase.params]);
    this.model.bindBuffers(this.bufferViews[phase.params]);
    const { output, lossSum } = this.model.forwardLoss(x, this.targetsOf(targets, rows));
    this.views.stats[3 * e] = lossSum;
    this.views.stats[3 * e + 1] = this.secondStat(output.data, targets, rows, classes);
    this.views.stats[3 * e + 2] = rows;
  }

  /**
   * Range r of the parameter vector: sum the chunk slots in chunk order, divide by the true batch
   * size, then apply the optimizer: it reads the phase's buffer and writes the OTHER one, which the
   * coordinator makes current once every range is done.
   */
  reduceRange(phase: Phase, r: number): void {
    if (r >= this.rangeGrads.length) throw outOfRange(phase, `range ${r}`, this.rangeGrads.length);
    const grads = this.rangeGrads[r];
    if (r === 0) this.batchNorm?.updateRunning(phase.batchSize, this.views.buffers, phase.params);
    if (!this.kernels.reduceSlots(this.rangeSlots[r], grads, grads.length, 1 / phase.batchSize)) {
      Atomics.store(this.views.control, Slot.NON_FINITE, 1);
    }
    if (this.setup.clipGradientNorm !== undefined) {
      this.views.clipSums[r] = sumOfSquares(grads); // the update waits for every range's sum (updateRange)
      return;
    }
    this.update(phase, r);
  }

  /**
   * Range r of an UPDATE phase (gradient clipping): every range adds the same R sums in range order,
   * so every thread scales by the same factor, then applies the optimizer as reduceRange does.
   */
  updateRange(phase: Phase, r: number): void {
    const maxNorm = this.setup.clipGradientNorm;
    if (maxNorm === undefined || r >= this.rangeGrads.length) {
      throw outOfRange(phase, `update range ${r}`, maxNorm === undefined ? 0 : this.rangeGrads.length);
    }
    scaleGradient(this.rangeGrads[r], clipFactor(globalNorm(this.views.clipSums), maxNorm));
    this.update(phase, r);
  }

  /** The optimizer on range r: reads the phase's buffer and writes the other one. */
  private update(phase: Phase, r: number): void {
    const grads = this.rangeGrads[r];
    const current = phase.params;
    // phase.step is 0-based; Adam's bias correction counts from 1.
    const [from, to] = [this.rangeVectors[current][r], this.rangeVectors[1 - current][r]];
    const { optimizer, stepsPerEpoch, totalSteps } = this.setup;
    const learningRate = learningRateAt(
      optimizer.schedule,
      optimizer.learningRate,
      phase.step,
      stepsPerEpoch,
      totalSteps,
    );
    const pieces = this.rangePieces[current][r];
    applyOptimizer(this.kernels, optimizer, from, to, grads, phase.step + 1, learningRate, pieces);
  }

  /** Class indices as they are; a regressor's targets as a rows × outputs tensor (mse). */
  private targetsOf(targets: Float32Array, rows: number): Targets {
    const width = this.setup.targetWidth;
    if (this.setup.task === 'classification') return targets;
    return { shape: [rows, width], data: targets.subarray(0, rows * width) };
  }

  /** Correct rows of a classifier; Σ|y − t| of a regressor. */
  private secondStat(output: Float32Array, targets: Float32Array, rows: number, classes: number): number {
    if (this.setup.task === 'classification') return countCorrect(output, targets, rows, classes);
    return absoluteErrorSum(output, targets, rows * this.setup.targetWidth);
  }

  /**
   * A batch-norm statistics stage on training chunk c (batch-norm-stages.ts): the chunk's rows are
   * computed again from its input, up to what the stage needs, and its partial sums written.
   */
  statsChunk(phase: Phase, c: number): void {
    const { features, chunks } = this.setup;
    const stages = this.batchNorm;
    const stageCount = stages?.stageCount ?? 0;
    if (!stages || phase.stage >= stageCount) throw outOfRange(phase, `statistics stage ${phase.stage}`, stageCount);
    if (c >= chunks || phase.chunks !== chunks) throw outOfRange(phase, `chunk ${c}`, chunks);
    const [start, end] = chunkBounds(phase.batchSize, chunks, c);
    const rows = end - start;
    stages.count = phase.batchSize;
    if (rows === 0) return stages.emptyChunk(phase.stage, c);
    const { order, trainTargets } = this.views;
    gatherTrainRows(this.kernels, this.views, phase.batchStart + start, rows, features, this.input);
    const width = this.setup.targetWidth;
    this.kernels.gatherRows(trainTargets, order, phase.batchStart + start, rows, width, this.targets);
    this.model.bindValues(this.paramValues[phase.params]);
    this.model.bindGradients(this.slotGradients[c]); // overwritten by the TRAIN phase's chunk c
    this.pass.step = phase.step;
    this.pass.first = phase.batchStart + start;
    const x = { shape: [rows, features], data: prefix(this.input, rows * features) };
    stages.runStage(phase.stage, c, this.model, x, this.targetsOf(this.targets, rows), this.pass);
  }

  /** STATS phases each training step needs before its TRAIN phase (0 without batch norm). */
  get statisticsStages(): number {
    return this.batchNorm?.stageCount ?? 0;
  }

  /** The committed copy of the buffers (batch norm's running statistics) when `index` is the committed buffer. */
  buffersOf(index: number): Float32Array {
    return this.views.buffers[index];
  }

  /** Parameter buffer 0 or 1. */
  paramsBuffer(index: number): Float32Array {
    return this.views.params[index];
  }
}

/** A work item outside its phase is a broken protocol, never a silent no-op: the step fails and is retried. */
function outOfRange(phase: Phase, what: string, count: number): StepFailure {
  return new StepFailure(`step ${phase.step}: ${what} is out of range (the phase has ${count})`);
}
