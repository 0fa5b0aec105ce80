/**
 * npm run sweep-worker -- --queue redis://HOST:PORT [--concurrent K] [--name NAME] [--stall-seconds S]
 * Takes the trials of every sweep queued on Redis (npm run sweep -- … --queue), trains them and sends
 * the results back, until stopped (Ctrl-C finishes the running trials; a second Ctrl-C stops at once).
 */
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.ts';
import { guardOutput } from '../io/safe-output.ts';
import { parseRedisUrl } from '../sweep/redis.ts';
import { runSweepWorker } from '../sweep/worker.ts';
import { scratchDirectory } from '../sweep/worker-trial.ts';
import { positiveInt } from '../sweep/options.ts';
import { parseCliArgs } from './args.ts';

const USAGE = 'npm run sweep-worker -- --queue redis://[:PASSWORD@]HOST:PORT [--concurrent K] [--name NAME]';

const HELP = `usage: ${USAGE}

  Trains the trials of the sweeps queued on Redis, one sweep at a time in the order submitted.

options:
  --queue URL          the Redis of the sweeps (redis:// or rediss:// for TLS)
  --concurrent K       trials at once, the cores divided among them
                       (default: planned from the first trial's size, like a local sweep)
  --name NAME          how the sweep shows this worker (default <host>-<pid>)
  --stall-seconds S    a trial whose worker has been silent this long goes to another worker (default 30)
  --help               show this help
`;

export interface WorkerIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Aborting it stops the worker (after its running trials). */
  readonly signal: AbortSignal;
}

/** Runs until `io.signal` is aborted; returns the exit code (2 for the user's mistakes). */
export async function main(argv: string[], io: WorkerIo): Promise<number> {
  try {
    const { values, positionals } = parseCliArgs(
      argv,
      {
        queue: { type: 'string' },
        concurrent: { type: 'string' },
        name: { type: 'string' },
        'stall-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UserError(`✖ unexpected argument "${positionals[0]}"\n✖ usage: ${USAGE}`);
    if (values.queue === undefined) throw new UserError(`✖ --queue is required\n✖ usage: ${USAGE}`);
    const name = values.name ?? `${hostname()}-${process.pid}`;
    if (!/^[\w.-]+$/.test(name)) throw new UserError('✖ use letters, digits, dot, dash or underscore → at --name');
    await runSweepWorker({
      target: parseRedisUrl(values.queue),
      name,
      cores: availableParallelism(),
      concurrent: values.concurrent === undefined ? undefined : positiveInt(values.concurrent, '--concurrent'),
      stallSeconds:
        values['stall-seconds'] === undefined ? 30 : positiveInt(values['stall-seconds'], '--stall-seconds'),
      scratch: scratchDirectory(join(tmpdir(), 'shardprop-sweep-worker')),
      log: (line) => void io.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
      signal: io.signal,
    });
    return 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr.write((error.message.startsWith('✖') ? error.message : `✖ ${error.message}`) + '\n');
    return error.exitCode;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  guardOutput(process.stdout);
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130); // the second Ctrl-C: now (the queue gives the trials to others)
    process.stderr.write('stopping after the running trials (Ctrl-C again to stop now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: stop.signal,
  });
}
