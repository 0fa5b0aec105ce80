import type { LoadedSweep } from './load.ts';
import { planConcurrency } from './plan.ts';
import type { SweepProgress } from './progress.ts';
import {
  earlierError,
  failedResult,
  previousResults,
  readCompletedTrial,
  skippedText,
  writeResults,
  type TrialResult,
} from './results.ts';
import { RunnerPool } from './runner-pool.ts';
import type { RankMetric } from './schema.ts';
import type { Trial } from './trials.ts';

export interface LocalOptions {
  outDir: string;
  cores: number;
  /** Trials at once (default: planned from the trial size, see plan.ts). */
  concurrent?: number;
  progress: SweepProgress;
}

/**
 * The trials a re-run skips, as results keyed by id: those whose run directories are complete, and
 * (unless `retryFailed`) those the previous results.jsonl records as failed with their own error —
 * a bad value or a diverging run fails again the same way. Crashed trials are not kept: they run again.
 * `worker` is taken from the previous results.jsonl.
 */
export function completedTrials(loaded: LoadedSweep, outDir: string, retryFailed = false): Map<string, TrialResult> {
  const previous = previousResults(outDir);
  const results = new Map<string, TrialResult>();
  for (const trial of loaded.trials) {
    const earlier = previous.get(trial.id);
    const worker = typeof earlier?.worker === 'string' ? earlier.worker : null;
    const result = readCompletedTrial(trial, outDir, loaded.sweep.rank.metric);
    if (result) results.set(trial.id, { ...result, worker });
    else {
      const failed = retryFailed ? null : earlierError(trial, outDir, earlier);
      if (failed) results.set(trial.id, failed);
    }
  }
  return results;
}

/**
 * Runs the sweep's unfinished trials on this machine, `concurrent` at a time in trial-runner
 * processes, each with its share of the cores. results.jsonl is rewritten after every trial, so an
 * interrupted sweep leaves a consistent record and its finished trials are skipped next time.
 */
export async function runLocal(loaded: LoadedSweep, done: Map<string, TrialResult>, options: LocalOptions) {
  const { outDir, progress } = options;
  const pending = loaded.trials.filter((t) => !done.has(t.id));
  if (pending.length === 0) return progress.line(`nothing to run (${skippedText(done)})`);
  const plan = planConcurrency(options.cores, pending.length, pending[0].config, options.concurrent);
  progress.line(
    `${pending.length} to run (${skippedText(done)}), ${plan.concurrent} at once with ${plan.workers} ` +
      `thread${plan.workers > 1 ? 's' : ''} each (${plan.why})`,
  );
  const pool = new RunnerPool();
  const queue = [...pending];
  const runSlot = async (slot: string) => {
    for (let trial = queue.shift(); trial; trial = queue.shift()) {
      const result = await runTrial(pool, trial, slot, plan.workers, loaded.sweep.rank.metric, options);
      done.set(trial.id, result);
      writeResults(outDir, done.values());
      progress.finished(trial, result);
    }
  };
  try {
    await Promise.all(Array.from({ length: plan.concurrent }, (_, k) => runSlot(`local-${k + 1}`)));
  } finally {
    pool.close();
  }
}

async function runTrial(
  pool: RunnerPool,
  trial: Trial,
  slot: string,
  workers: number,
  metric: RankMetric,
  options: LocalOptions,
) {
  const { outDir, progress } = options;
  progress.started(trial.id, slot, trial.config.train.epochs);
  const outcome = await pool.run({ type: 'run', id: trial.id, config: trial.config, workers }, (metrics) =>
    progress.epoch(trial.id, metrics.epoch),
  );
  if (!outcome.ok) return failedResult(trial, outDir, outcome.error, slot, outcome.deterministic ? 'error' : 'crash');
  const result = readCompletedTrial(trial, outDir, metric);
  return result
    ? { ...result, worker: slot }
    : failedResult(trial, outDir, 'the trial finished but its run directory is incomplete', slot, 'crash');
}
