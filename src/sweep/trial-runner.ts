/**
 * A trial-runner process: trains the trials its parent (a local sweep or a sweep worker) sends over
 * the IPC channel, one at a time, through the public `train()`. Trials run in their own processes
 * so that each has a main thread of its own for its coordinator, a crash or an out-of-memory kills
 * one trial and not the sweep, and a worker's event loop stays free to keep its queue locks alive.
 * Started by runner-pool.ts; not a command.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { train } from '../train/train.ts';
import type { RunnerMessage, RunTrial } from './protocol.ts';

if (!process.send) throw new Error('trial-runner.ts is started by the sweep over IPC, not by hand');

const send = (message: RunnerMessage) => {
  if (process.connected) process.send!(message);
};

// The parent is gone (killed, even with -9): a trial nobody will collect is not worth finishing.
process.on('disconnect', () => process.exit(1));
// Ctrl-C reaches the whole process group: the parent decides (a worker finishes its running trials;
// a local sweep exits, and the runner follows through 'disconnect').
process.on('SIGINT', () => {});

process.on('message', (message: RunTrial) => {
  if (message.type === 'run') void runTrial(message);
});

async function runTrial(message: RunTrial): Promise<void> {
  const { id, config, workers, maxWeightBytes } = message;
  try {
    await train(config, {
      workers,
      force: true, // only unfinished trials are sent: what the directory holds is a killed attempt
      source: `config of trial ${id}`,
      onEpoch(metrics) {
        if (metrics.epoch === 1 && maxWeightBytes !== undefined) checkWeightSize(config.output.dir, maxWeightBytes);
        send({ type: 'epoch', id, metrics, epochs: config.train.epochs });
      },
    });
    send({ type: 'done', id });
  } catch (error) {
    const deterministic = error instanceof UserError;
    const text = deterministic ? error.message : ((error as Error).stack ?? String(error));
    send({ type: 'failed', id, error: text, deterministic });
  }
}

/** Fails the trial after its first epoch, not its last, when its weights could not be sent back. */
function checkWeightSize(dir: string, limit: number): void {
  const bytes = statSync(join(dir, 'model.safetensors'), { throwIfNoEntry: false })?.size ?? 0;
  if (bytes > limit)
    throw new UserError(
      `the weights are ${mib(bytes)} MiB, over the ${mib(limit)} MiB that a worker sends back: ` +
        'raise --max-weights, or give the workers a shared directory (--shared)',
    );
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

send({ type: 'ready' });
