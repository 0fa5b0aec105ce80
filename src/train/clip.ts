/**
 * Gradient clipping by global L2 norm (Pascanu et al. 2013; PyTorch's clip_grad_norm_), split the
 * way the reduce is: the range that reduces a piece of the averaged gradient also sums its squares
 * (`sumOfSquares`); once every range is done, each updating thread adds the R range sums IN RANGE
 * ORDER (`globalNorm`) and scales its own range by `clipFactor` before the optimizer. Range
 * boundaries depend on the model only (partition.ts rangeCountFor), so the norm, and the clipped
 * weights, are bitwise the same at any worker count.
 */

/** Σ g² over `grads` (one range of the averaged gradient), accumulated in float64 in element order. */
export function sumOfSquares(grads: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return sum;
}

/** √(Σ_r rangeSums[r]), summed in the order given (range order). */
export function globalNorm(rangeSums: ArrayLike<number>): number {
  let sum = 0;
  for (let r = 0; r < rangeSums.length; r++) sum += rangeSums[r];
  return Math.sqrt(sum);
}

/**
 * The factor the gradient is multiplied by: min(1, maxNorm / (norm + 1e-6)), PyTorch's formula
 * (the 1e-6 guards a zero norm). A non-finite norm gives NaN: the trainer stops on a non-finite
 * gradient before it gets here.
 */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipFactor: maxNorm ${maxNorm} must be > 0`);
  if (!Number.isFinite(norm)) return NaN;
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/** grads ← factor · grads, in place (nothing to do for a factor of 1). */
export function scaleGradient(grads: Float32Array, factor: number): void {
  if (factor === 1) return;
  for (let i = 0; i < grads.length; i++) grads[i] *= factor;
}
