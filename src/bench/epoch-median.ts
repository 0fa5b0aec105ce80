import type { EpochMetrics } from '../train/metrics.ts';

/**
 * The figure of a training case: the median samples/s of its epochs after the first third, which
 * is warm-up (V8 keeps tiering up the wasm and JS of every thread for a thousand or so small steps;
 * measured: 2 workers ramp from ~150k to ~300k samples/s over the first ~15 epochs of the small
 * net). Returns the median and how many epochs it was taken over.
 */
export function medianAfterWarmUp(metrics: readonly Pick<EpochMetrics, 'samplesPerSec'>[]): {
  median: number;
  epochs: number;
} {
  const timed = metrics
    .slice(Math.ceil(metrics.length / 3))
    .map((m) => m.samplesPerSec)
    .sort((a, b) => a - b);
  const half = timed.length / 2;
  const median = timed.length % 2 ? timed[(timed.length - 1) / 2] : (timed[half - 1] + timed[half]) / 2;
  return { median, epochs: timed.length };
}
