import * as assert from 'uvu/assert';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { LayerContext } from '../../src/layers/layer.ts';
import { heapAllocator, tensor, type Tensor } from '../../src/tensor.ts';

/** Shared by the hand-derived layer tests: reference kernels on heap buffers. */
export const context: LayerContext = { kernels: referenceKernels, alloc: heapAllocator };

export const t = (shape: number[], values: number[]): Tensor => tensor(shape, values);

/** Float32 results against values worked out by hand (in float64): equal to ~7 significant digits. */
export function close(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-6): void {
  assert.is(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i]));
    assert.ok(ok, `element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Runs `backward(dout)` and checks that dout is unchanged afterwards (the layer contract). */
export function backwardKeepsDout<T>(backward: (dout: Tensor) => T, dout: Tensor): T {
  const before = Array.from(dout.data);
  const result = backward(dout);
  assert.equal(Array.from(dout.data), before, 'backward mutated dout');
  return result;
}
