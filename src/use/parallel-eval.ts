/**
 * Evaluation of a large prepared split on several threads. The split is copied once into shared
 * memory; each pool thread (workers/evaluator.ts) runs whole blocks of `blockRows` rows through its
 * own ForwardEngine — the same plan, parameters and kernels as the single-threaded path — and the
 * block results are added up here in block order, exactly as the single-threaded loop adds them.
 * A row's outputs do not depend on the thread or block that computes it (engine.ts), so the
 * evaluation is bitwise the single-threaded one at any thread count. Small splits stay on the
 * calling thread: starting threads costs more than it saves.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ForwardEngine, KernelName } from './engine.ts';
import type { PreparedSplit } from './evaluation-data.ts';
import { classIndices, EvaluationAccumulator, type Evaluation } from './evaluation.ts';
import type { ModelDescription } from './model-json.ts';
import type { ForwardResult, ForwardShared, ForwardTask } from './parallel-types.ts';
import { RegressionAccumulator, type RegressionEvaluation } from './regression-evaluation.ts';

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
  engine(blockRows: number): ForwardEngine;
}

export interface ParallelOptions {
  readonly blockRows: number;
  /** Threads (default: the cores); 1, or a split under PARALLEL_MIN_ROWS rows, runs on this thread. */
  readonly threads?: number;
}

/** Threads an evaluation of `rows` rows uses: 1 below PARALLEL_MIN_ROWS. */
export function threadsFor(rows: number, asked = availableParallelism()): number {
  return rows < PARALLEL_MIN_ROWS ? 1 : Math.max(1, Math.min(asked, Math.floor(rows / 2_500)));
}

export async function evaluateInParallel(
  model: ParallelModel,
  split: PreparedSplit,
  options: ParallelOptions,
): Promise<Evaluation | RegressionEvaluation> {
  const { blockRows } = options;
  const threads = options.threads ?? threadsFor(split.count);
  const regression = model.description.task === 'regression';
  const targetWidth = regression ? model.outputWidth : 1;
  const inputs = shared(split.count * model.features);
  inputs.set(split.inputs.subarray(0, split.count * model.features));
  const targets = shared(split.count * targetWidth);
  if (regression) targets.set(Array.prototype.slice.call(split.targets, 0, split.count * targetWidth));
  else classIndices(split.targets, 0, split.count, model.classes, false, (i) => `targets[${i}]`, targets);
  const data: ForwardShared = {
    description: model.description,
    params: model.flatParams(),
    kernels: model.kernelName,
    blockRows,
    inputs,
    targets,
  };
  // Tasks of whole blocks: a few per thread, so a slow thread does not hold the others up.
  const blocks = Math.ceil(split.count / blockRows);
  const perTask = Math.max(1, Math.ceil(blocks / (threads * 4)));
  const tasks: ForwardTask[] = [];
  for (let b = 0; b < blocks; b += perTask) {
    const start = b * blockRows;
    tasks.push({ start, count: Math.min(perTask * blockRows, split.count - start) });
  }
  const pool = new Piscina({
    filename: workerFile,
    minThreads: threads,
    maxThreads: threads,
    workerData: data,
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  });
  let results: ForwardResult[];
  try {
    results = await Promise.all(tasks.map((task) => pool.run(task) as Promise<ForwardResult>));
  } finally {
    await pool.destroy();
  }
  const accumulator = regression ? new RegressionAccumulator(model.targets) : new EvaluationAccumulator(model.classes);
  const width = model.outputWidth;
  tasks.forEach((task, t) => {
    const { outputs, lossSums } = results[t];
    lossSums.forEach((lossSum, b) => {
      const at = b * blockRows;
      const rows = Math.min(blockRows, task.count - at);
      const first = task.start + at;
      const blockTargets = targets.subarray(first * targetWidth, (first + rows) * targetWidth);
      accumulator.add(outputs.subarray(at * width, (at + rows) * width), blockTargets, rows, lossSum);
    });
  });
  return accumulator.result();
}

function shared(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length);
}
