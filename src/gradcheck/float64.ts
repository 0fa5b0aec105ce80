import type { Allocator, Tensor } from '../tensor.ts';

/**
 * The numerical side of a gradient check runs on a float64 twin of the float32 model.
 *
 * Why: measured on random chains, central differences of a float32 forward pass carry ~1e-6
 * relative rounding noise in the objective; after dividing by the step that becomes an absolute
 * error of ~1e-5 in the gradient, so small gradients could not be held to 1e-3 at any step size
 * (Ridders' extrapolation with steps tuned from 2⁻⁸ to 0.5 still saw 4e-3 to 1). In float64 the
 * same differences are exact to ~1e-10, so what the check measures is the float32 backprop's error
 * against the true derivative, which is the question asked.
 *
 * How: layers and the reference kernels only index, `set` and `subarray` their arrays, so a
 * Float64Array serves where a Float32Array is declared. This cast lives here and nowhere else; it
 * is used only with `referenceKernels` (the WASM kernels need real float32 views of their memory).
 */
export const float64Allocator: Allocator = {
  floats: (count) => new Float64Array(count) as unknown as Float32Array,
};

/** A float64 copy of a float32 tensor (exact: every float32 is a float64). */
export function widen(t: Tensor): Tensor {
  const data = float64Allocator.floats(t.data.length);
  data.set(t.data);
  return { shape: t.shape, data };
}
