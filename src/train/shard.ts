import { referenceKernels } from '../kernels/reference.ts';
import { selectKernels } from '../kernels/select.ts';
import type { Kernels } from '../kernels/types.ts';
import { prefix, type Allocator } from '../tensor.ts';
import { ChainModel } from '../model/chain.ts';
import { planModel, type ModelPlan } from '../model/plan.ts';
import { arenaViews, bumpAllocator, countingAllocator, type ArenaViews } from './arena.ts';
import { Slot, countUp, grab } from './control.ts';
import { applyOptimizer, type OptimizerVectors } from './optimizer.ts';
import { chunkBounds, rangeBounds, type RunSetup } from './setup.ts';

/** One compute thread's model over the arena: its own scratch, the shared parameters. */
function buildThreadModel(
  plan: ModelPlan,
  maxRows: number,
  kernels: Kernels,
  alloc: Allocator,
  params: Float32Array,
  grads: Float32Array,
) {
  const input = alloc.floats(maxRows * plan.inputs);
  const targets = alloc.floats(maxRows);
  const model = new ChainModel(plan, params, grads, maxRows, { kernels, alloc });
  return { input, targets, model };
}

/** Floats of scratch one thread needs, measured by building its model with a counting allocator. */
export function measureScratchFloats(plan: ModelPlan, maxRows: number): number {
  const counter = countingAllocator();
  buildThreadModel(
    plan,
    maxRows,
    referenceKernels,
    counter,
    new Float32Array(plan.paramCount),
    new Float32Array(plan.paramCount),
  );
  return counter.total;
}

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
export class ShardComputer {
  readonly views: ArenaViews;
  readonly kernels: Kernels;
  private readonly control: Int32Array;
  private readonly model: ChainModel;
  private readonly input: Float32Array;
  private readonly targets: Float32Array;
  private readonly slotGradients: Float32Array[][];
  private readonly paramValues: Float32Array[][];
  private readonly rangeSlots: Float32Array[][];
  private readonly rangeGrads: Float32Array[];
  /** [buffer][range]: that range of the parameters and of each optimizer-state vector. */
  private readonly rangeVectors: OptimizerVectors[][];

  constructor(
    memory: WebAssembly.Memory,
    private readonly setup: RunSetup,
    threadIndex: number,
  ) {
    this.views = arenaViews(memory, setup.layout);
    this.control = this.views.control;
    this.kernels = selectKernels(setup.kernels, memory);
    const plan = planModel(setup.model, setup.features);
    const alloc = bumpAllocator(this.views.scratch[threadIndex]);
    ({
      input: this.input,
      targets: this.targets,
      model: this.model,
    } = buildThreadModel(plan, setup.maxRows, this.kernels, alloc, this.views.params[0], this.views.slots[0]));
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
  }

  /** Forward + backward on training chunk c of the current batch; gradient sums into slot c. */
  trainChunk(c: number): void {
    const { features, classes, chunks } = this.setup;
    const batchStart = this.control[Slot.BATCH_START];
    const [start, end] = chunkBounds(this.control[Slot.BATCH_SIZE], chunks, c);
    const rows = end - start;
    const stats = this.views.stats;
    if (rows === 0) {
      this.views.slots[c].fill(0); // an empty chunk adds exact zeros to the reduce
      stats.fill(0, 3 * c, 3 * c + 3);
      return;
    }
    const { order, trainInputs, trainTargets } = this.views;
    this.kernels.gatherRows(trainInputs, order, batchStart + start, rows, features, this.input);
    this.kernels.gatherRows(trainTargets, order, batchStart + start, rows, 1, this.targets);
    this.model.bindValues(this.paramValues[this.control[Slot.CURRENT]]);
    this.model.bindGradients(this.slotGradients[c]);
    const x = { shape: [rows, features], data: prefix(this.input, rows * features) };
    const { output, lossSum } = this.model.forwardLoss(x, this.targets);
    this.model.backward();
    stats[3 * c] = lossSum;
    stats[3 * c + 1] = countCorrect(output.data, this.targets, rows, classes);
    stats[3 * c + 2] = rows;
  }

  /** Forward only on rows [e·maxRows, …) of the test split: loss sum and correct count. */
  evalChunk(e: number): void {
    const { features, classes, maxRows, testCount } = this.setup;
    const start = e * maxRows;
    const rows = Math.min(maxRows, testCount - start);
    const x = {
      shape: [rows, features],
      data: this.views.testInputs.subarray(start * features, (start + rows) * features),
    };
    const targets = this.views.testTargets.subarray(start, start + rows);
    this.model.bindValues(this.paramValues[this.control[Slot.CURRENT]]);
    const { output, lossSum } = this.model.forwardLoss(x, targets);
    this.views.stats[3 * e] = lossSum;
    this.views.stats[3 * e + 1] = countCorrect(output.data, targets, rows, classes);
    this.views.stats[3 * e + 2] = rows;
  }

  /** Grabs chunks until none are left (or the phase is abandoned), counting each one done. */
  runChunks(generation: number, evaluate: boolean, aborted: () => boolean, beforeChunk?: () => void): void {
    const count = this.control[Slot.CHUNK_COUNT];
    for (;;) {
      const c = grab(this.control, Slot.NEXT_CHUNK, generation, count);
      if (c < 0 || aborted()) return;
      beforeChunk?.();
      if (evaluate) this.evalChunk(c);
      else this.trainChunk(c);
      countUp(this.control, Slot.CHUNKS_DONE, count);
    }
  }

  /**
   * Grabs ranges of the parameter vector. For each: sum the chunk slots in chunk order, divide by
   * the true batch size, then apply the optimizer: it reads the committed buffer and writes the
   * OTHER one, which the coordinator makes current once every range is done.
   */
  runRanges(generation: number, aborted: () => boolean, afterUpdate?: () => void): void {
    const count = this.control[Slot.RANGE_COUNT];
    const scale = 1 / this.control[Slot.BATCH_SIZE];
    const current = this.control[Slot.CURRENT];
    const next = 1 - current;
    const step = this.control[Slot.STEP] + 1; // 1-based, for Adam's bias correction
    for (;;) {
      const r = grab(this.control, Slot.NEXT_RANGE, generation, count);
      if (r < 0 || aborted()) return;
      const grads = this.rangeGrads[r];
      if (!this.kernels.reduceSlots(this.rangeSlots[r], grads, grads.length, scale)) {
        Atomics.store(this.control, Slot.NON_FINITE, 1);
      }
      applyOptimizer(
        this.kernels,
        this.setup.optimizer,
        this.rangeVectors[current][r],
        this.rangeVectors[next][r],
        grads,
        step,
      );
      afterUpdate?.();
      countUp(this.control, Slot.RANGES_DONE, count);
    }
  }

  /** The committed parameter vector. */
  committedParams(): Float32Array {
    return this.views.params[this.control[Slot.CURRENT]];
  }
}
