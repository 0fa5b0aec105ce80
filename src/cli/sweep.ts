/**
 * npm run sweep -- sweep.json [--out DIR] [--concurrent K]
 * npm run sweep -- sweep.json --queue redis://HOST:PORT [--shared] [--max-weights MB]
 * Runs every trial of a sweep file (here, or on sweep workers through Redis), skipping trials whose
 * run directories are complete, and writes DIR/trials/<id>/, DIR/results.jsonl, DIR/compare.html
 * and a ranked table. Exit 0, 1 if a trial failed, 2 on bad input.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.ts';
import { environmentError } from '../io/fs-errors.ts';
import { RunLock } from '../io/run-lock.ts';
import { guardOutput } from '../io/safe-output.ts';
import { finishSweep } from '../sweep/finish.ts';
import { defaultOutDir, loadSweep } from '../sweep/load.ts';
import { completedTrials, runLocal } from '../sweep/local.ts';
import { SweepProgress, trialDescriber } from '../sweep/progress.ts';
import { positiveInt } from '../sweep/options.ts';
import { parseCliArgs } from './args.ts';

const USAGE = `npm run sweep -- <sweep.json> [--out DIR] [--concurrent K] [--retry-failed]
       npm run sweep -- <sweep.json> --queue redis://[:PASSWORD@]HOST:PORT [--shared] [--max-weights MB] [--retry-failed]`;

const HELP = `usage: ${USAGE}

  Runs every trial of the sweep file and writes DIR/trials/<id>/ (one run directory per trial),
  DIR/results.jsonl, DIR/compare.html and a ranked table. Trials already complete are skipped, and
  so are trials that failed with their own error (a bad value, divergence); crashed ones run again.

options:
  --out DIR          the sweep directory (default runs/sweeps/<name>)
  --concurrent K     trials at once on this machine, the cores divided among them
                     (default: several small trials at once, or one large trial on every core)
  --queue URL        queue the trials on Redis (redis:// or rediss://) for sweep workers
                     (npm run sweep-worker) instead of running them here
  --shared           with --queue: DIR is on a file system every worker sees at the same path;
                     workers write the trials there instead of sending them back
  --max-weights MB   with --queue: largest weights a worker sends back through Redis (default 64)
  --retry-failed     run again the trials that failed with their own error last time
  --help             show this help
`;

export interface SweepIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown };
  /** Relative paths given on the command line are resolved against this directory. */
  readonly cwd: string;
}

const processIo: SweepIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.env.INIT_CWD ?? process.cwd(),
};

/** Runs the command; returns the exit code (0; 1 if a trial failed; 2 for the user's mistakes). */
export async function main(argv: string[], io: SweepIo = processIo): Promise<number> {
  try {
    const { values, positionals } = parseCliArgs(
      argv,
      {
        out: { type: 'string' },
        concurrent: { type: 'string' },
        queue: { type: 'string' },
        shared: { type: 'boolean' },
        'max-weights': { type: 'string' },
        'retry-failed': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UserError(`✖ expected one sweep file, got ${positionals.length}\n✖ usage: ${USAGE}`);
    const concurrent = values.concurrent === undefined ? undefined : positiveInt(values.concurrent, '--concurrent');
    const maxWeightsMb = values['max-weights'] === undefined ? 64 : positiveInt(values['max-weights'], '--max-weights');
    if (!values.queue && (values.shared || values['max-weights'] !== undefined))
      throw new UserError(
        `✖ --shared and --max-weights go with --queue → at ${values.shared ? '--shared' : '--max-weights'}`,
      );
    if (values.queue && concurrent !== undefined)
      throw new UserError(
        '✖ with --queue the workers choose their concurrency (sweep-worker --concurrent) → at --concurrent',
      );

    const file = relativeTo(io.cwd, positionals[0]);
    const loaded = loadSweep(file, (name) => relativeTo(io.cwd, values.out ?? defaultOutDir(name)));
    const { sweep, trials, outDir } = loaded;
    // Loaded only for --queue: a local sweep needs neither BullMQ nor a Redis client.
    const redis = values.queue ? await import('../sweep/redis.ts') : null;
    const target = redis ? redis.parseRedisUrl(values.queue!) : null;
    if (redis && target) await redis.checkRedis(target); // before anything is written
    makeDirectory(outDir);
    const lock = RunLock.acquire(outDir, outDir, (message) => io.stderr.write(message + '\n'));
    try {
      const done = completedTrials(loaded, outDir, values['retry-failed'] ?? false);
      const out = {
        write: (text: string) => void io.stdout.write(text),
        isTTY: io.stdout.isTTY === true,
        columns: io.stdout.columns,
      };
      const progress = new SweepProgress(out, trials.length, sweep.rank.metric, done.size, trialDescriber(trials));
      progress.line(`sweep ${sweep.name}: ${trials.length} trials → ${outDir}`);
      if (target) {
        const { runDistributed } = await import('../sweep/submit.ts');
        await runDistributed(loaded, done, {
          target,
          outDir,
          shared: values.shared ?? false,
          maxWeightBytes: maxWeightsMb * 2 ** 20,
          progress,
        });
      } else {
        await runLocal(loaded, done, { outDir, cores: availableParallelism(), concurrent, progress });
      }
      progress.end();
      const report = await finishSweep(sweep, [...done.values()], outDir);
      io.stdout.write(`\n${report.table}\n\nresults: ${report.results}\n`);
      if (report.compare) io.stdout.write(`report:  ${report.compare}\n`);
      if (report.failed) io.stderr.write(`✖ ${report.failed} of ${trials.length} trials failed (see above)\n`);
      return report.failed ? 1 : 0;
    } finally {
      lock.release();
    }
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr.write((error.message.startsWith('✖') ? error.message : `✖ ${error.message}`) + '\n');
    return error.exitCode;
  }
}

function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw environmentError('create the sweep directory', dir, error, '', 2);
  }
}

/** Keeps a relative path relative (so messages show it as typed) when the base is the process's own directory. */
function relativeTo(base: string, path: string): string {
  return resolve(base) === process.cwd() ? path : resolve(base, path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  guardOutput(process.stdout); // a closed stdout (`| head`) must not stop the sweep: the files are its record
  process.once('SIGINT', () => {
    // Finished trials are on disk (queued ones stay queued): the same command picks up from here.
    process.stderr.write('\n✖ interrupted: run the same command again to finish the sweep\n');
    process.exit(130); // 'exit' handlers release the locks; trial runners follow their parent
  });
  process.exitCode = await main(process.argv.slice(2));
}
