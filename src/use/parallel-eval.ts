/**
 * Evaluation of many rows on several threads. Rows go in batches, each copied once into shared
 * memory; each pool thread (workers/evaluator.ts) runs whole blocks of `blockRows` rows through its
 * own ForwardEngine — the same plan, parameters and kernels as the single-threaded path — and the
 * block results are added here in block order, exactly as the single-threaded loop adds them. A
 * row's outputs do not depend on the thread or block that computes it (engine.ts), so the
 * evaluation is bitwise the single-threaded one at any thread count. Fewer than PARALLEL_MIN_ROWS
 * rows stay on the calling thread: starting threads would cost more than it saves.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { ForwardEngine, KernelName } from './engine.ts';
import type { PreparedSplit } from './evaluation-data.ts';
import { classIndices, EvaluationAccumulator, type Evaluation } from './evaluation.ts';
import type { ModelDescription } from './model-json.ts';
import type { ForwardResult, ForwardShared, ForwardTask } from './parallel-types.ts';
import { RegressionAccumulator, type RegressionEvaluation } from './regression-evaluation.ts';
import { copyInputs } from '../data/inputs.ts';
import { kernelModule } from '../kernels/wasm.ts';
import { startPiscina } from '../train/worker-bundle.ts';

/** Below this many rows an evaluation runs on the calling thread. */
export const PARALLEL_MIN_ROWS = 10_000;

const workerFile = fileURLToPath(new URL('../../workers/evaluator.ts', import.meta.url));

/** What the parallel path needs of a LoadedModel. */
export interface ParallelModel {
  readonly description: ModelDescription;
  readonly features: number;
  readonly outputWidth: number;
  readonly classes: readonly string[];
  readonly targets: readonly string[];
  readonly kernelName: KernelName;
  flatParams(): Float32Array;
  flatBuffers(): Float32Array;
  engine(blockRows: number): ForwardEngine;
}

/** Threads an evaluation of `rows` rows uses: 1 below PARALLEL_MIN_ROWS, else up to `asked`, ≥ 2,500 rows each. */
export function threadsFor(rows: number, asked = availableParallelism()): number {
  return rows < PARALLEL_MIN_ROWS ? 1 : Math.max(1, Math.min(asked, Math.floor(rows / 2_500)));
}

export type Accumulator = EvaluationAccumulator | RegressionAccumulator;

/** A fresh accumulator for the model's task. */
export function accumulatorFor(model: ParallelModel): Accumulator {
  return model.description.task === 'regression'
    ? new RegressionAccumulator(model.targets)
    : new EvaluationAccumulator(model.classes);
}

/** A pool of threads evaluating batches of preprocessed rows into one accumulator, in order. */
export class ParallelEvaluator {
  private readonly pool: Piscina;
  private readonly targetWidth: number;

  constructor(
    private readonly model: ParallelModel,
    private readonly blockRows: number,
    private readonly threads: number,
  ) {
    this.targetWidth = model.description.task === 'regression' ? model.outputWidth : 1;
    const data: ForwardShared = {
      description: model.description,
      params: model.flatParams(),
      buffers: model.flatBuffers(),
      kernels: model.kernelName,
      kernelModule: model.kernelName === 'wasm' ? kernelModule() : null,
      blockRows,
    };
    this.pool = startPiscina(workerFile, { minThreads: threads, maxThreads: threads, workerData: data });
  }

  /** A batch buffer for `rows` rows: inputs (rows × features) and targets, on shared memory. */
  batch(rows: number): { inputs: Float32Array; targets: Float32Array } {
    return { inputs: shared(rows * this.model.features), targets: shared(rows * this.targetWidth) };
  }

  /** The first `count` rows of a batch, in whole blocks (a batch starts on a block boundary), into `accumulator`. */
  async add(batch: { inputs: Float32Array; targets: Float32Array }, count: number, accumulator: Accumulator) {
    const { blockRows } = this;
    const blocks = Math.ceil(count / blockRows);
    const perTask = Math.max(1, Math.ceil(blocks / (this.threads * 4))); // a slow thread holds no one up
    const tasks: ForwardTask[] = [];
    for (let b = 0; b < blocks; b += perTask) {
      const start = b * blockRows;
      tasks.push({ ...batch, start, count: Math.min(perTask * blockRows, count - start) });
    }
    const results = await Promise.all(tasks.map((task) => this.pool.run(task) as Promise<ForwardResult>));
    const [width, k] = [this.model.outputWidth, this.targetWidth];
    tasks.forEach((task, t) => {
      const { outputs, lossSums } = results[t];
      lossSums.forEach((lossSum, b) => {
        const at = b * blockRows;
        const rows = Math.min(blockRows, task.count - at);
        const first = task.start + at;
        const targets = batch.targets.subarray(first * k, (first + rows) * k);
        accumulator.add(outputs.subarray(at * width, (at + rows) * width), targets, rows, lossSum);
      });
    });
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/** A prepared split (already preprocessed, class-index or regression targets) on `threads` threads. */
export async function evaluateInParallel(
  model: ParallelModel,
  split: PreparedSplit,
  options: { blockRows: number; threads?: number },
): Promise<Evaluation | RegressionEvaluation> {
  const evaluator = new ParallelEvaluator(model, options.blockRows, options.threads ?? threadsFor(split.count));
  try {
    const batch = evaluator.batch(split.count);
    copyInputs(split.inputs, 0, split.count * model.features, batch.inputs);
    if (model.description.task === 'regression') {
      batch.targets.set(Array.prototype.slice.call(split.targets, 0, batch.targets.length));
    } else {
      classIndices(split.targets, 0, split.count, model.classes, false, (i) => `targets[${i}]`, batch.targets);
    }
    const accumulator = accumulatorFor(model);
    await evaluator.add(batch, split.count, accumulator);
    return accumulator.result();
  } finally {
    await evaluator.destroy();
  }
}

function shared(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length);
}
