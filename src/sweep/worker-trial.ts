import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { processIsGone } from '../io/stale-temp.ts';
import type { EpochMetrics } from '../train/train.ts';
import { packRunFiles, type TrialJob, type TrialJobResult } from './job.ts';
import { trialDir } from './results.ts';
import type { RunnerPool } from './runner-pool.ts';

/** A trial that fails the same way whoever runs it (BullMQ's UnrecoverableError wraps it: no retry). */
export class DeterministicTrialError extends Error {}

/**
 * Trains one queued trial on this machine and returns what goes back through Redis. Without a
 * shared directory the trial runs in `<scratch>/<id>`, its files are packed and the directory is
 * removed. With one, it runs in `<shared>/.staging/<worker>-<id>` and is renamed into
 * `<shared>/trials/<id>` when complete, so a trial directory is never half-written, and a worker
 * killed mid-trial leaves its attempt in its own staging directory, not in the way of the next.
 */
export async function trainQueuedTrial(
  job: TrialJob,
  worker: string,
  threads: number,
  pool: RunnerPool,
  scratch: string,
  onEpoch: (metrics: EpochMetrics, epochs: number) => void,
): Promise<TrialJobResult> {
  const dir = job.sharedDir ? join(job.sharedDir, '.staging', `${worker}-${job.id}`) : join(scratch, job.id);
  const outcome = await pool.run(
    {
      type: 'run',
      id: job.id,
      config: { ...job.config, output: { dir } },
      workers: threads,
      maxWeightBytes: job.sharedDir ? undefined : job.maxWeightBytes,
    },
    onEpoch,
  );
  try {
    if (!outcome.ok) {
      // The trainer's message may point into the run directory, which is removed below.
      const error = outcome.error.replaceAll(dir, `${dir} (on worker ${worker}, since removed)`);
      if (outcome.deterministic) throw new DeterministicTrialError(error);
      throw new Error(error);
    }
    if (!job.sharedDir) return { worker, files: packRunFiles(dir) };
    moveIntoPlace(dir, trialDir(job.sharedDir, job.id));
    return { worker };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renames a finished staging directory to `target`, first moving aside what an earlier attempt left there. */
function moveIntoPlace(staging: string, target: string): void {
  // config.json names the staging directory as its output: name the place it is going to.
  const configPath = join(staging, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileAtomic(configPath, JSON.stringify({ ...config, output: { dir: target } }, null, 2) + '\n');
  mkdirSync(join(target, '..'), { recursive: true });
  const aside = `${staging}.old`;
  rmSync(aside, { recursive: true, force: true });
  try {
    renameSync(target, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(staging, target);
  rmSync(aside, { recursive: true, force: true });
}

/**
 * This process's scratch directory, `<base>/<pid>`; scratch directories of processes that are gone
 * (a worker killed with -9) are removed first.
 */
export function scratchDirectory(base: string): string {
  mkdirSync(base, { recursive: true });
  for (const name of readdirSync(base)) {
    if (/^\d+$/.test(name) && Number(name) !== process.pid && processIsGone(Number(name)))
      rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = join(base, String(process.pid));
  mkdirSync(dir, { recursive: true });
  return dir;
}
