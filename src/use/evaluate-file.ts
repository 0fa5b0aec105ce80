/**
 * `npm run eval --data FILE`: a file of labelled rows (a regressor's: rows with their targets),
 * streamed in blocks of the model's rowsPerBlock. A file of PARALLEL_MIN_ROWS rows or more is
 * evaluated on several threads, a batch of whole blocks at a time (parallel-eval.ts); a smaller
 * one on this thread. Either way the blocks are added in file order: the same result to the bit.
 */
import { availableParallelism } from 'node:os';
import { classIndices } from './evaluation.ts';
import type { Evaluation } from './evaluation.ts';
import { readInputBlocks, type InputBlock } from './input/read.ts';
import type { LoadedModel } from './loaded-model.ts';
import { accumulatorFor, PARALLEL_MIN_ROWS, ParallelEvaluator, type Accumulator } from './parallel-eval.ts';
import { preprocessInto } from './preprocess.ts';
import type { RegressionEvaluation } from './regression-evaluation.ts';

export interface FileOptions {
  labelsFile?: string;
  labelColumn?: number | string;
  /** A regressor's target columns in the file (default: model.json's target names). */
  targetColumns?: readonly (number | string)[];
  /** Threads for a large file (default: the cores). */
  threads?: number;
}

export async function evaluateFile(
  model: LoadedModel,
  path: string,
  options: FileOptions,
): Promise<{ evaluation: Evaluation | RegressionEvaluation; what: string }> {
  const regression = model.task === 'regression';
  const named = model.description.classes !== null;
  const blockRows = model.rowsPerBlock;
  const blocks = readInputBlocks(path, {
    features: model.features,
    shape: model.description.input.shape,
    blockRows,
    labels: 'required',
    labelColumn: options.labelColumn,
    labelsFile: options.labelsFile,
    namedLabels: named,
    ...(regression ? { targetColumns: options.targetColumns ?? model.targets } : {}),
  });
  const accumulator = accumulatorFor(model);
  const targetWidth = regression ? model.outputWidth : 1;
  /** Each block's targets as the loss takes them: class indices, or a regressor's values. */
  const targetsOf = (block: InputBlock): Float32Array => {
    if (regression) return Float32Array.from(block.targets!);
    const out = new Float32Array(block.count);
    classIndices(block.labels!, 0, block.count, model.classes, named, (i) => block.where(i), out);
    return out;
  };
  const threads = options.threads ?? availableParallelism();
  const batchRows = Math.ceil(PARALLEL_MIN_ROWS / blockRows) * blockRows;
  let pending: { block: InputBlock; targets: Float32Array }[] = [];
  let pendingRows = 0;
  let evaluator: ParallelEvaluator | null = null;
  try {
    const sequential = (block: InputBlock, targets: Float32Array) => {
      model.prepare(block.values, block.count);
      const { output, lossSum } = model.runWithLoss(block.count, targets);
      accumulator.add(output.data, targets, block.count, lossSum);
    };
    for await (const block of blocks) {
      if (threads < 2) {
        sequential(block, targetsOf(block));
        continue;
      }
      pending.push({ block, targets: targetsOf(block) });
      pendingRows += block.count;
      if (pendingRows < batchRows) continue;
      evaluator ??= new ParallelEvaluator(model, blockRows, threads);
      await runBatch(evaluator, pending, pendingRows, targetWidth, accumulator, model);
      [pending, pendingRows] = [[], 0];
    }
    if (evaluator && pendingRows > 0) await runBatch(evaluator, pending, pendingRows, targetWidth, accumulator, model);
    else for (const { block, targets } of pending) sequential(block, targets);
  } finally {
    await evaluator?.destroy();
  }
  return { evaluation: accumulator.result(), what: path };
}

/** Preprocesses pending blocks into one shared batch and evaluates it on the pool. */
async function runBatch(
  evaluator: ParallelEvaluator,
  pending: { block: InputBlock; targets: Float32Array }[],
  rows: number,
  targetWidth: number,
  accumulator: Accumulator,
  model: LoadedModel,
): Promise<void> {
  const batch = evaluator.batch(rows);
  let at = 0;
  for (const { block, targets } of pending) {
    const inputs = batch.inputs.subarray(at * model.features, (at + block.count) * model.features);
    preprocessInto(model.description.preprocessing, block.values, inputs);
    batch.targets.set(targets, at * targetWidth);
    at += block.count;
  }
  await evaluator.add(batch, rows, accumulator);
}
