import './no-native.ts';
import { resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { TrialJob, TrialJobResult } from './job.ts';
import { writeRunFiles } from './job.ts';
import type { LoadedSweep } from './load.ts';
import type { RunningTrial, SweepProgress } from './progress.ts';
import { Redis } from 'ioredis';
import { checkRedis, KEY_PREFIX, REGISTRY_KEY, type RedisTarget } from './redis.ts';
import { failedResult, readCompletedTrial, skippedText, trialDir, writeResults, type TrialResult } from './results.ts';
import type { RankMetric } from './schema.ts';
import type { Trial } from './trials.ts';

export interface DistributedOptions {
  target: RedisTarget;
  outDir: string;
  /** Every machine sees outDir at the same absolute path: workers write the trials there. */
  shared: boolean;
  maxWeightBytes: number;
  progress: SweepProgress;
  /** How often the queue is read (ms). */
  pollMs?: number;
}

/** Tries for a trial whose worker failed unexpectedly (a crash, not a bad config: that fails at once). */
const ATTEMPTS = 3;
/** Jobs missing from the queue (a Redis restarted without persistence) are queued again this often. */
const RECONCILE_MS = 5000;
/** With nothing running or done for this long, the sweep says that it needs workers. */
const NO_WORKER_HINT_MS = 10_000;
/** Finished jobs read per poll: each may carry a trial's weights. */
const BATCH = 20;

/**
 * Queues the unfinished trials on the BullMQ queue named after the sweep and collects what the
 * workers return into the sweep directory, as a local sweep would have written it. Finished jobs are
 * removed once written; when every trial is in, the queue is deleted. Interrupted, the trials stay
 * queued (and their results stay in Redis): running the sweep again collects them.
 */
export async function runDistributed(loaded: LoadedSweep, done: Map<string, TrialResult>, options: DistributedOptions) {
  const { sweep, trials } = loaded;
  const { progress, outDir } = options;
  await checkRedis(options.target);
  // Commands fail fast while Redis is away (the poll below says so and tries again); the client reconnects.
  const connection = new Redis({ ...options.target.options, maxRetriesPerRequest: 1 });
  connection.on('error', () => {});
  const queue = new Queue<TrialJob, TrialJobResult>(sweep.name, { connection, prefix: KEY_PREFIX });
  queue.on('error', () => {});
  const pending = new Map(trials.filter((t) => !done.has(t.id)).map((t) => [t.id, t]));
  const enqueue = async (list: Trial[]) => {
    await connection.zadd(REGISTRY_KEY, 'NX', Date.now(), sweep.name);
    await queue.addBulk(
      list.map((trial) => ({
        name: trial.id,
        data: {
          sweep: sweep.name,
          id: trial.id,
          config: trial.config,
          maxWeightBytes: options.maxWeightBytes,
          sharedDir: options.shared ? resolve(outDir) : null,
        },
        opts: {
          jobId: trial.id, // a trial already queued (an earlier submission) is not queued twice
          attempts: ATTEMPTS,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
  };
  const collect = (trial: Trial, result: TrialResult) => {
    pending.delete(trial.id);
    done.set(trial.id, result);
    writeResults(outDir, done.values());
    progress.finished(trial, result);
  };

  progress.line(`${pending.size} to run (${skippedText(done)}), queued on ${options.target.display}`);
  let reconciled = 0;
  let away = false;
  const doneAtStart = done.size;
  let idleSince: number | null = null;
  let hinted = false;
  try {
    while (pending.size > 0) {
      try {
        if (Date.now() - reconciled >= RECONCILE_MS) {
          const known = new Set(
            await queue.getRanges(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']),
          );
          const missing = [...pending.values()].filter((t) => !known.has(t.id));
          if (missing.length) await enqueue(missing);
          reconciled = Date.now();
        }
        for (const job of await queue.getJobs(['completed'], 0, BATCH - 1)) {
          const trial = pending.get(job.id!);
          if (trial) collect(trial, receive(trial, job, options, sweep.rank.metric));
          await job.remove();
        }
        for (const job of await queue.getJobs(['failed'], 0, BATCH - 1)) {
          const trial = pending.get(job.id!);
          // A worker marks the trial's own errors (job.ts TrialJob.failure); anything else was a crash.
          const failure = job.data.failure === 'error' ? 'error' : 'crash';
          const error = job.failedReason || 'failed';
          if (trial) collect(trial, failedResult(trial, outDir, error, job.processedBy ?? null, failure));
          await job.remove(); // results.jsonl has it: a re-run retries it if it crashed (or with --retry-failed)
        }
        const active = await queue.getJobs(['active']);
        const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
        progress.observe(active.map(runningTrial), counts.waiting + counts.delayed + counts.prioritized);
        if (active.length > 0 || done.size > doneAtStart) idleSince = null;
        else if (Date.now() - (idleSince ??= Date.now()) > NO_WORKER_HINT_MS && !hinted) {
          progress.line(`no sweep worker has taken a trial yet: start some with npm run sweep-worker -- --queue URL`);
          hinted = true;
        }
        if (away) progress.line(`Redis at ${options.target.display} is back`);
        away = false;
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        if (!away)
          progress.line(`Redis at ${options.target.display} is unreachable (${(error as Error).message}); retrying`);
        away = true;
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
    await connection.zrem(REGISTRY_KEY, sweep.name);
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Writes a finished job's files as the trial's run directory (unless the worker wrote it in place). */
function receive(
  trial: Trial,
  job: Job<TrialJob, TrialJobResult>,
  options: DistributedOptions,
  metric: RankMetric,
): TrialResult {
  const { outDir } = options;
  const worker = job.returnvalue?.worker ?? job.processedBy ?? null;
  const files = job.returnvalue?.files;
  if (files) writeRunFiles(trialDir(outDir, trial.id), files);
  const result = readCompletedTrial(trial, outDir, metric);
  if (result) return { ...result, worker };
  const why = files ? 'its files are incomplete' : `its run directory is not in ${trialDir(outDir, trial.id)}`;
  return failedResult(trial, outDir, `the worker finished the trial but ${why}`, worker, 'crash');
}

function runningTrial(job: Job<TrialJob, TrialJobResult>): RunningTrial {
  const progress = (typeof job.progress === 'object' ? job.progress : {}) as { epoch?: number };
  return {
    id: job.id!,
    worker: job.processedBy ?? '?',
    epoch: progress.epoch ?? 0,
    epochs: job.data.config.train.epochs,
  };
}

function isConnectionError(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|max retries|Stream isn't writeable/i.test(
    message,
  );
}
