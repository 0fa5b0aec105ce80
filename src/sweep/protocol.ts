import type { RunConfig } from '../config/schema.ts';
import type { EpochMetrics } from '../train/train.ts';

/** Messages between a sweep and its trial-runner processes (trial-runner.ts), over the IPC channel. */

export interface RunTrial {
  type: 'run';
  id: string;
  /** Resolved; the run directory is `config.output.dir`. */
  config: RunConfig;
  /** Threads for this trial (speed only). */
  workers: number;
  /** Stop after the first epoch if model.safetensors is larger than this (a worker's transfer limit). */
  maxWeightBytes?: number;
}

export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'epoch'; id: string; metrics: EpochMetrics; epochs: number }
  | { type: 'done'; id: string }
  /**
   * `deterministic`: the same trial would fail the same way again (a bad config value, a diverging
   * run, missing data: the trainer's UserErrors), so retrying it is pointless.
   */
  | { type: 'failed'; id: string; error: string; deterministic: boolean };

export type TrialOutcome = { ok: true } | { ok: false; error: string; deterministic: boolean };
