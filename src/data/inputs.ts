/**
 * Reading a split's inputs whichever way they are stored (types.ts Inputs): float32 as they are,
 * bytes through their table of values. Training decodes a whole split only into a float32 arena
 * (parallel.inputStorage); in a byte arena a chunk's rows are decoded as it gathers them (kernels
 * gatherByteRows). These are for everything else: filling a float32 arena, evaluation blocks,
 * checks and warnings, and tests.
 */
import type { ByteInputs, Inputs } from './types.ts';

export const isByteInputs = (inputs: Inputs): inputs is ByteInputs => !(inputs instanceof Float32Array);

/** How many values (count × features). */
export const inputLength = (inputs: Inputs): number => (isByteInputs(inputs) ? inputs.bytes.length : inputs.length);

/** Values [from, to) as float32 into `target`, from its start. */
export function copyInputs(inputs: Inputs, from: number, to: number, target: Float32Array): void {
  if (!isByteInputs(inputs)) {
    target.set(inputs.subarray(from, to));
    return;
  }
  const { bytes, values } = inputs;
  for (let i = from; i < to; i++) target[i - from] = values[bytes[i]];
}

/** All values as float32: the array itself, or for bytes a decoded copy (4× their memory). */
export function floatInputs(inputs: Inputs): Float32Array {
  if (!isByteInputs(inputs)) return inputs;
  const out = new Float32Array(inputs.bytes.length);
  copyInputs(inputs, 0, out.length, out);
  return out;
}

/** The smallest and largest value of each of `features` features (rows × features, row-major). */
export function featureExtremes(inputs: Inputs, features: number): { min: Float64Array; max: Float64Array } {
  const min = new Float64Array(features).fill(Infinity);
  const max = new Float64Array(features).fill(-Infinity);
  const length = inputLength(inputs);
  const valueAt = isByteInputs(inputs) ? (i: number) => inputs.values[inputs.bytes[i]] : (i: number) => inputs[i];
  for (let i = 0; i < length; i += features) {
    for (let j = 0; j < features; j++) {
      const x = valueAt(i + j);
      if (x < min[j]) min[j] = x;
      if (x > max[j]) max[j] = x;
    }
  }
  return { min, max };
}
