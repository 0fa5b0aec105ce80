/**
 * One task of a multi-threaded evaluation, as a pool thread runs it (workers/evaluator.ts): rows
 * [start, start + count) of a shared, already preprocessed split, in blocks of `blockRows`, through
 * the same ForwardEngine a single thread uses (same plan, same parameters, same kernels). It returns
 * the outputs and each block's loss sum; the caller adds them up in block order, so the result does
 * not depend on how many threads there were.
 */
import { ForwardEngine } from './engine.ts';
import { planOf } from './load.ts';
import type { ForwardResult, ForwardShared, ForwardTask } from './parallel-types.ts';

let engine: ForwardEngine | null = null;

export function forwardTask(task: ForwardTask, shared: ForwardShared): ForwardResult {
  const { description, blockRows } = shared;
  const { inputs, targets } = task;
  const regression = description.task === 'regression';
  const plan = planOf(description, 'model.json');
  engine ??= new ForwardEngine(plan, shared.params, shared.kernels, blockRows, regression, shared.buffers);
  const features = description.input.features;
  const width = description.outputs;
  const targetWidth = regression ? width : 1;
  const outputs = new Float32Array(task.count * width);
  const lossSums: number[] = [];
  for (let at = 0; at < task.count; at += blockRows) {
    const first = task.start + at;
    const rows = Math.min(blockRows, task.count - at);
    engine.inputOf(rows).set(inputs.subarray(first * features, (first + rows) * features));
    const block = targets.subarray(first * targetWidth, (first + rows) * targetWidth);
    const { output, lossSum } = engine.forwardLoss(rows, block);
    outputs.set(output.data.subarray(0, rows * width), at * width);
    lossSums.push(lossSum);
  }
  return { outputs, lossSums };
}
