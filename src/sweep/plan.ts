import type { RunConfig } from '../config/schema.ts';

/**
 * How many trials run at once, and how many threads each gets. Trials are independent, so running
 * several side by side uses the cores perfectly, while one trial spread over all cores loses time
 * at every step's barrier: the small MNIST net (784-50-10, batch 100) runs only ~1.55× faster on 2
 * threads than on 1. A large step (784-512-512-10, batch 256: ~1.9× on 2 threads) loses little,
 * and one trial at a time then gives each result sooner and keeps one arena in memory, not K.
 */

/** Dense work per step above which a trial counts as large (between the two nets above). */
export const LARGE_STEP_FLOPS = 100e6;

export interface ConcurrencyPlan {
  /** Trials at once. */
  concurrent: number;
  /** Threads per trial (`parallel.workers`); the weights do not depend on it. */
  workers: number;
  why: string;
}

export function planConcurrency(
  cores: number,
  pending: number,
  sample: RunConfig | undefined,
  requested?: number,
): ConcurrencyPlan {
  if (requested !== undefined) {
    const concurrent = Math.max(1, Math.min(requested, Math.max(pending, 1)));
    return { concurrent, workers: Math.max(1, Math.floor(cores / concurrent)), why: `--concurrent ${requested}` };
  }
  const flops = sample ? stepFlops(sample) : 0;
  if (pending <= 1) return { concurrent: 1, workers: cores, why: 'one trial: every core' };
  if (flops >= LARGE_STEP_FLOPS) {
    return { concurrent: 1, workers: cores, why: `large trials (~${formatFlops(flops)} per step): one at a time` };
  }
  const concurrent = Math.min(cores, pending);
  return {
    concurrent,
    workers: Math.max(1, Math.floor(cores / concurrent)),
    why: `small trials (~${formatFlops(flops)} per step): several at once`,
  };
}

/**
 * Dense multiply-adds of a training step (forward, input gradient and weight gradient: 3 products
 * of 2·in·out per affine layer per row). The input width is the data's: 784 for MNIST-like sources
 * (an idx or csv file is not read here, so 784 is assumed for them too), 2 for the synthetic sets.
 */
export function stepFlops(config: RunConfig): number {
  let width = config.data.source === 'synthetic' ? 2 : 784;
  let perRow = 0;
  for (const layer of config.model.layers) {
    if (layer.type !== 'affine') continue;
    perRow += 3 * 2 * width * layer.units;
    width = layer.units;
  }
  return perRow * config.train.batchSize;
}

function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${(flops / 1e9).toFixed(1)} GFLOP`;
  return flops >= 1e6 ? `${(flops / 1e6).toFixed(0)} MFLOP` : `${(flops / 1e3).toFixed(0)} kFLOP`;
}
