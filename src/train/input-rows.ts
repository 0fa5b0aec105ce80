/**
 * A chunk's float32 input rows from the arena's data, which holds float32 inputs or bytes (image
 * data, layout.bytesPerInput 1) decoded through the 256 values of views.inputValues. Either way
 * the rows are the same float32 values bit for bit (src/data/assemble.ts).
 */
import type { Kernels } from '../kernels/types.ts';
import type { ArenaViews } from './arena.ts';

/** Training rows order[first + r], r < rows, into `out`. */
export function gatherTrainRows(
  kernels: Kernels,
  views: ArenaViews,
  first: number,
  rows: number,
  features: number,
  out: Float32Array,
): void {
  const { trainInputs, order } = views;
  if (trainInputs instanceof Uint8Array) {
    kernels.gatherByteRows(trainInputs, views.inputValues, order, first, rows, features, out);
  } else kernels.gatherRows(trainInputs, order, first, rows, features, out);
}

/** Test rows [start, start + rows): a view of float inputs, or bytes decoded into `scratch`. */
export function testRows(
  kernels: Kernels,
  views: ArenaViews,
  start: number,
  rows: number,
  features: number,
  scratch: Float32Array,
): Float32Array {
  const { testInputs } = views;
  if (!(testInputs instanceof Uint8Array)) return testInputs.subarray(start * features, (start + rows) * features);
  kernels.gatherByteRows(testInputs, views.inputValues, null, start, rows, features, scratch);
  return scratch.subarray(0, rows * features);
}
