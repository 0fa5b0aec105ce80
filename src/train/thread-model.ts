import { referenceKernels } from '../kernels/reference.ts';
import type { Kernels } from '../kernels/types.ts';
import { ChainModel } from '../model/chain.ts';
import type { ModelPlan } from '../model/plan.ts';
import type { Allocator } from '../tensor.ts';
import { UserError } from '../errors.ts';
import { countingAllocator } from './arena.ts';

/** One compute thread's model over the arena: its own scratch, the shared parameters. */
export function buildThreadModel(
  plan: ModelPlan,
  maxRows: number,
  kernels: Kernels,
  alloc: Allocator,
  params: Float32Array,
  grads: Float32Array,
  /** Target values per row: 1 (a class index) or a regressor's outputs. */
  targetWidth = 1,
  buffers?: Float32Array,
) {
  const input = alloc.floats(maxRows * plan.inputs);
  const targets = alloc.floats(maxRows * targetWidth);
  const model = new ChainModel(plan, params, grads, maxRows, { kernels, alloc }, buffers);
  return { input, targets, model };
}

/** Floats of scratch one thread needs, measured by building its model with a counting allocator. */
export function measureScratchFloats(plan: ModelPlan, maxRows: number, targetWidth = 1): number {
  const counter = countingAllocator();
  let params: Float32Array;
  try {
    params = new Float32Array(plan.paramCount);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Before any activation is counted: the message must name the parameters (a conv2d on a padded
    // image feeding an affine layer can ask for trillions), not "activations need more than 0.0 GiB".
    throw new UserError(
      `the model has ${plan.paramCount} parameters, ${(plan.paramCount / 2 ** 28).toFixed(1)} GiB as float32; ` +
        `a run holds at most 4 GiB: use fewer units or filters, or a smaller image\n  → at model.layers`,
    );
  }
  try {
    buildThreadModel(plan, maxRows, referenceKernels, counter, params, new Float32Array(plan.paramCount), targetWidth);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // A buffer past what one typed array can hold (2^32 bytes here): the arena could not hold it either.
    throw new UserError(
      `one thread's activations need more than ${(counter.total / 2 ** 28).toFixed(1)} GiB for chunks of ` +
        `${maxRows} rows: use fewer units, a smaller train.batchSize or more parallel.chunks\n  → at model.layers`,
    );
  }
  return counter.total;
}
