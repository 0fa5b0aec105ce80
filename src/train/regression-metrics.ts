/**
 * A regressor's metrics from the sums training already keeps per chunk: the loss sum
 * Σ ½‖y − t‖² and the absolute error sum Σ|y − t|, over n rows of k targets.
 *
 *   mse = Σ (y − t)² / (n·k)        = 2·lossSum / (n·k)  (mean over every target value)
 *   mae = Σ |y − t| / (n·k)
 *   R²  = 1 − SS_res / SS_tot,  SS_res = Σ_j Σ_i (y_ij − t_ij)² = 2·lossSum,
 *                               SS_tot = Σ_j Σ_i (t_ij − mean_j)², mean_j the split's mean of target j
 *
 * With several targets R² is pooled over them (scikit-learn's r2_score with
 * multioutput="variance_weighted"); with one it is the usual R². Constant targets (SS_tot = 0)
 * give 1 when every prediction is exact and 0 otherwise, as scikit-learn's force_finite.
 */

/** Σ|y − t| over the first `values` outputs, in float64, in index order (a chunk's second statistic, for the MAE). */
export function absoluteErrorSum(output: ArrayLike<number>, targets: ArrayLike<number>, values: number): number {
  let sum = 0;
  for (let i = 0; i < values; i++) sum += Math.abs(output[i] - targets[i]);
  return sum;
}

/** SS_tot of a split's targets (count × width, row-major), each target around its own mean, in float64. */
export function totalSumOfSquares(targets: ArrayLike<number>, count: number, width: number): number {
  const mean = new Float64Array(width);
  for (let i = 0; i < count; i++) for (let j = 0; j < width; j++) mean[j] += targets[i * width + j];
  for (let j = 0; j < width; j++) mean[j] /= count;
  let total = 0;
  for (let i = 0; i < count; i++) for (let j = 0; j < width; j++) total += (targets[i * width + j] - mean[j]) ** 2;
  return total;
}

export interface RegressionMetrics {
  mse: number;
  mae: number;
  r2: number;
}

export function regressionMetrics(
  sums: { lossSum: number; absoluteErrorSum: number; count: number },
  width: number,
  totalSquares: number,
): RegressionMetrics {
  const values = sums.count * width;
  const residual = 2 * sums.lossSum;
  return {
    mse: residual / values,
    mae: sums.absoluteErrorSum / values,
    r2: r2Of(residual, totalSquares),
  };
}

/** 1 − SS_res / SS_tot; for SS_tot = 0, 1 if SS_res = 0 else 0. */
export function r2Of(residual: number, totalSquares: number): number {
  if (totalSquares === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / totalSquares;
}
