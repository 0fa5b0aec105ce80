/**
 * The confusion matrix of a model on a split, for confusion.json (the format report.html reads):
 * what the trainer writes at the end of a run, from the parameters it holds.
 */
import { copyInputs } from '../data/inputs.ts';
import type { ModelPlan } from '../model/plan.ts';
import { DEFAULT_BLOCK_ROWS, ForwardEngine, type KernelName } from './engine.ts';
import type { PreparedSplit } from './loaded-model.ts';
import { argmaxInto, classLabels, countInto, emptyConfusion, type Confusion } from './metrics.ts';

export interface ConfusionArgs {
  readonly plan: ModelPlan;
  /** The flat parameter vector in the plan's layout (e.g. the trainer's committed parameters). */
  readonly params: Float32Array;
  /** Batch norm's running statistics in the plan's buffer layout (default: their starting values). */
  readonly buffers?: Float32Array;
  /** Preprocessed inputs and class-index targets, as the data loaders give them (a dataset's test split). */
  readonly split: PreparedSplit;
  readonly classNames?: readonly string[] | null;
  readonly kernels?: KernelName;
  readonly blockRows?: number;
}

export function confusionOf(args: ConfusionArgs): Confusion {
  const { plan, params, split } = args;
  const blockRows = args.blockRows ?? DEFAULT_BLOCK_ROWS;
  const engine = new ForwardEngine(plan, params, args.kernels ?? 'wasm', blockRows, false, args.buffers);
  const confusion = emptyConfusion(classLabels(args.classNames ?? null, plan.outputs));
  const predicted = new Int32Array(engine.blockRows);
  for (let start = 0; start < split.count; start += engine.blockRows) {
    const rows = Math.min(engine.blockRows, split.count - start);
    copyInputs(split.inputs, start * plan.inputs, (start + rows) * plan.inputs, engine.inputOf(rows));
    argmaxInto(engine.forward(rows).data, rows, plan.outputs, predicted);
    const truth = Array.from({ length: rows }, (_, i) => split.targets[start + i]);
    countInto(confusion, truth, predicted, rows);
  }
  return confusion;
}
