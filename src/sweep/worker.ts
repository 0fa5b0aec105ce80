import './no-native.ts';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { chooseQueue, type QueueWork } from './follow.ts';
import type { TrialJob, TrialJobResult } from './job.ts';
import { planConcurrency } from './plan.ts';
import { checkRedis, KEY_PREFIX, persistentClient, REGISTRY_KEY, type RedisTarget } from './redis.ts';
import { RunnerPool } from './runner-pool.ts';
import { DeterministicTrialError, trainQueuedTrial } from './worker-trial.ts';

export interface SweepWorkerOptions {
  target: RedisTarget;
  /** Shown by the submitting sweep for the trials this worker runs. */
  name: string;
  cores: number;
  /** Trials at once; default: planned from the first trial's size, as a local sweep does. */
  concurrent?: number;
  /** A trial whose worker has not renewed its lock for this long goes to another worker. */
  stallSeconds: number;
  scratch: string;
  log: (line: string) => void;
  /** Aborted: stop taking trials, finish the running ones, return. */
  signal: AbortSignal;
}

/** How often the list of sweeps is read. */
const FOLLOW_MS = 1000;

/**
 * A sweep worker: serves the queued sweeps in the order they were submitted, one queue at a time
 * (its trials share this machine's cores), as chooseQueue() decides. BullMQ does the rest: a job is
 * locked while a trial runs and the lock is renewed; a worker that dies stops renewing it and, after
 * `stallSeconds`, the stalled-job check of a worker serving the queue puts the trial back in it.
 * Connections to Redis are re-established by themselves after a restart.
 */
export async function runSweepWorker(options: SweepWorkerOptions): Promise<void> {
  const { target, log, signal } = options;
  await checkRedis(target);
  const client = persistentClient(target);
  let away = false;
  client.on('error', (error) => {
    if (!away) log(`Redis at ${target.display} is unreachable (${error.message}); retrying`);
    away = true;
  });
  client.on('ready', () => {
    if (away) log(`Redis at ${target.display} is back`);
    away = false;
  });
  const pool = new RunnerPool();
  pool.prestart(options.concurrent ?? 1);
  const queues = new Map<string, Queue>();
  const work = async (name: string): Promise<QueueWork> => {
    if (!queues.has(name)) {
      const queue = new Queue(name, { connection: client, prefix: KEY_PREFIX });
      queue.on('error', () => {}); // connection trouble: reported by the client's own handler above
      queues.set(name, queue);
    }
    const counts = await queues.get(name)!.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return { name, waiting: counts.waiting + counts.prioritized + counts.delayed, active: counts.active };
  };
  let current: { name: string; worker: Worker } | null = null;
  log(`worker ${options.name}: ${options.cores} cores, waiting for trials on ${target.display}`);
  try {
    while (!signal.aborted) {
      try {
        const sweeps = await Promise.all((await client.zrange(REGISTRY_KEY, 0, -1)).map(work));
        const next = chooseQueue(sweeps, current?.name ?? null);
        if (current && current.name !== next) {
          await current.worker.close(); // waits for its running trials
          current = null;
        }
        if (!current && next) current = { name: next, worker: startWorker(next, options, pool) };
      } catch (error) {
        if (!away) log(`cannot read the sweeps: ${(error as Error).message}`);
      }
      await sleep(FOLLOW_MS, signal);
    }
    if (current) log('stopping: finishing the running trials');
    await current?.worker.close();
  } finally {
    pool.close();
    for (const queue of queues.values()) await queue.close();
    client.disconnect();
  }
}

function startWorker(name: string, options: SweepWorkerOptions, pool: RunnerPool): Worker {
  const { log } = options;
  let threads = Math.max(1, Math.floor(options.cores / (options.concurrent ?? 1)));
  let planned = options.concurrent !== undefined;
  const connection = persistentClient(options.target);
  connection.on('error', () => {}); // reported by the client in runSweepWorker
  const worker: Worker<TrialJob, TrialJobResult> = new Worker<TrialJob, TrialJobResult>(
    name,
    async (job: Job<TrialJob, TrialJobResult>) => {
      if (!planned) {
        // The first trial tells the size of this sweep's trials: plan as a local sweep would.
        const plan = planConcurrency(options.cores, Infinity, job.data.config);
        planned = true;
        threads = plan.workers;
        worker.concurrency = plan.concurrent;
        log(`sweep ${name}: ${plan.concurrent} trials at once, ${plan.workers} threads each (${plan.why})`);
      }
      log(`trial ${job.id} of sweep ${name}: started (attempt ${job.attemptsMade + 1})`);
      const started = Date.now();
      try {
        const result = await trainQueuedTrial(job.data, options.name, threads, pool, options.scratch, (m, epochs) => {
          job.updateProgress({ epoch: m.epoch, epochs }).catch(() => {}); // progress is best effort
        });
        log(`trial ${job.id}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return result;
      } catch (error) {
        log(`trial ${job.id}: failed: ${(error as Error).message.split('\n')[0]}`);
        if (error instanceof DeterministicTrialError) {
          // Tells the sweep not to retry it on a re-run; if Redis cannot be told, it is taken for a crash.
          await job.updateData({ ...job.data, failure: 'error' }).catch(() => {});
          throw new UnrecoverableError(error.message);
        }
        throw error;
      }
    },
    {
      connection,
      prefix: KEY_PREFIX,
      name: options.name,
      concurrency: options.concurrent ?? 1,
      lockDuration: options.stallSeconds * 1000,
      stalledInterval: options.stallSeconds * 1000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', () => {}); // connection trouble: reported by the client in runSweepWorker
  worker.on('closed', () => connection.disconnect()); // a connection passed in is the caller's to close
  log(`serving sweep ${name}`);
  return worker;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
