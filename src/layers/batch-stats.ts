/**
 * Batch normalization's arithmetic as pure functions over per-chunk partial sums, so a batch cut
 * into chunks (computed by any threads) is normalized with the statistics of the WHOLE batch:
 *
 *   forward   each chunk: statisticsPartial → [Σx | Σx²] per feature          (float64)
 *             reduce:     finishStatistics sums the partials IN CHUNK ORDER → mean, variance
 *             each chunk: normalizeRows with those → x̂, y
 *   backward  each chunk: gradientPartial → [Σdout | Σdout·x̂] per feature    (= its dβ | dγ)
 *             reduce:     sumPartials IN CHUNK ORDER → Σdout, Σdout·x̂ of the batch
 *             each chunk: normalizeBackward → dx
 *
 * The partials are accumulated in float64: Σx² − N·μ² then loses only ~1e-16·(μ/σ)² relatively,
 * far below float32 rounding for any input a net produces. For a fixed chunking the reduced sums
 * are bitwise the same whichever thread computed each partial and in which order they finished;
 * cut differently (1 vs 3 chunks), they agree to float64 rounding, and what is rounded to
 * float32 (x̂, y, dx) agrees to within an ulp (test/layers/batch-stats.test.ts).
 */

/** out[0..D) = Σ_rows x, out[D..2D) = Σ_rows x², for a [rows, D] block. `out` has 2·D entries. */
export function statisticsPartial(x: Float32Array, rows: number, features: number, out: Float64Array): void {
  out.fill(0, 0, 2 * features);
  for (let i = 0; i < rows; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      const v = x[row + j];
      out[j] += v;
      out[features + j] += v * v;
    }
  }
}

/** out = Σ_c partials[c], elementwise, summed in the order given (chunk order). */
export function sumPartials(partials: readonly Float64Array[], out: Float64Array): void {
  out.fill(0);
  for (const partial of partials) for (let k = 0; k < out.length; k++) out[k] += partial[k];
}

/**
 * The batch's mean and biased variance per feature from `count` rows' partials (in chunk order).
 * `sums` is scratch of 2·D entries.
 */
export function finishStatistics(
  partials: readonly Float64Array[],
  count: number,
  sums: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
): void {
  sumPartials(partials, sums);
  const features = mean.length;
  for (let j = 0; j < features; j++) {
    const m = sums[j] / count;
    mean[j] = m;
    variance[j] = Math.max(0, sums[features + j] / count - m * m);
  }
}

/** 1/√(variance + ε) per feature. */
export function inverseStd(variance: ArrayLike<number>, epsilon: number, out: Float64Array): void {
  for (let j = 0; j < out.length; j++) out[j] = 1 / Math.sqrt(variance[j] + epsilon);
}

/** x̂ = (x − mean) · inverseStd and y = γ ⊙ x̂ + β, for a [rows, D] block. */
export function normalizeRows(
  x: Float32Array,
  rows: number,
  mean: ArrayLike<number>,
  inverse: Float64Array,
  gamma: Float32Array,
  beta: Float32Array,
  xhat: Float32Array,
  y: Float32Array,
): void {
  const features = inverse.length;
  for (let i = 0; i < rows; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      xhat[row + j] = (x[row + j] - mean[j]) * inverse[j];
      y[row + j] = gamma[j] * xhat[row + j] + beta[j];
    }
  }
}

/** out[0..D) = Σ_rows dout (the chunk's dβ), out[D..2D) = Σ_rows dout·x̂ (its dγ). */
export function gradientPartial(
  dout: Float32Array,
  xhat: Float32Array,
  rows: number,
  features: number,
  out: Float64Array,
): void {
  out.fill(0, 0, 2 * features);
  for (let i = 0; i < rows; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      out[j] += dout[row + j];
      out[features + j] += dout[row + j] * xhat[row + j];
    }
  }
}

/**
 * dx of a [rows, D] block of a batch of `count` rows in training mode, from the batch's sums
 * (`sums` = [Σdout | Σdout·x̂], reduced in chunk order):
 *   dx = γ·inverseStd / N · (N·dout − Σdout − x̂·Σ(dout·x̂))
 */
export function normalizeBackward(
  dout: Float32Array,
  xhat: Float32Array,
  rows: number,
  count: number,
  gamma: Float32Array,
  inverse: Float64Array,
  sums: Float64Array,
  dx: Float32Array,
): void {
  const features = inverse.length;
  for (let i = 0; i < rows; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      const centred = count * dout[row + j] - sums[j] - xhat[row + j] * sums[features + j];
      dx[row + j] = ((gamma[j] * inverse[j]) / count) * centred;
    }
  }
}

/** running ← momentum·running + (1 − momentum)·batch, for the mean and the variance (Keras/the book's momentum). */
export function updateRunningStatistics(
  runningMean: Float32Array,
  runningVariance: Float32Array,
  mean: Float64Array,
  variance: Float64Array,
  momentum: number,
): void {
  for (let j = 0; j < mean.length; j++) {
    runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mean[j];
    runningVariance[j] = momentum * runningVariance[j] + (1 - momentum) * variance[j];
  }
}
