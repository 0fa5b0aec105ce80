import type { EarlyStopping } from '../config/techniques.ts';

export interface EarlyStoppingState {
  /** The best epoch so far (1-based, as in metrics.jsonl), or null while no epoch had a finite value. */
  readonly bestEpoch: number | null;
  readonly bestValue: number | null;
  /** The last epoch of the series is the new best: keep its weights (model.best.safetensors). */
  readonly improved: boolean;
  /** Epochs since the best one (all of them while there is none). */
  readonly epochsWithoutImprovement: number;
  /** Stop after the last epoch: `patience` epochs have passed without an improvement. */
  readonly stop: boolean;
}

/**
 * The early-stopping rule over the metric's values so far, series[e − 1] being epoch e's. An epoch
 * improves on the best when, in mode min, value < best − minDelta (max: value > best + minDelta),
 * as Keras's EarlyStopping; the first finite value is always an improvement, a NaN or null never
 * is. Training stops once `patience` epochs in a row have not improved. Mode `auto` minimizes a
 * loss and maximizes an accuracy. A pure function of the series: calling it after each epoch with
 * the series so far gives the same decisions as replaying a finished run.
 */
export function earlyStoppingState(series: readonly (number | null)[], rule: EarlyStopping): EarlyStoppingState {
  const maximize = rule.mode === 'max' || (rule.mode === 'auto' && rule.metric.endsWith('Accuracy'));
  let bestEpoch: number | null = null;
  let bestValue: number | null = null;
  series.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) return;
    const better =
      bestValue === null || (maximize ? value > bestValue + rule.minDelta : value < bestValue - rule.minDelta);
    if (better) {
      bestEpoch = index + 1;
      bestValue = value;
    }
  });
  const epochsWithoutImprovement = series.length - (bestEpoch ?? 0);
  return {
    bestEpoch,
    bestValue,
    improved: bestEpoch !== null && bestEpoch === series.length,
    epochsWithoutImprovement,
    stop: epochsWithoutImprovement >= rule.patience,
  };
}
