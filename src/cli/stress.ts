/**
 * npm run stress -- [--runs N] [--threads 2,3,5] [--load K] [--seed S] [--json]
 * Many short training runs with more threads than cores (plus, with --load, K processes burning
 * CPU beside them), over configs that go through every kind of phase change. Each run's weights
 * are hashed and compared with the same config's 1-thread run: any difference is a broken
 * determinism promise. Prints runs, phase changes exercised and mismatches; exits 1 on a mismatch.
 * With --kills N: a run kill -9'ed N times and resumed each time (src/stress/kills.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { NamedTensor } from '../io/safetensors.ts';
import { UserError } from '../errors.ts';
import { runKills } from '../stress/kills.ts';
import { stressCase, transitionsOf, type TransitionKind } from '../stress/plan.ts';
import { train } from '../train/train.ts';
import { integerFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, type Io } from './io.ts';

export const command = {
  usage:
    'npm run stress -- [--runs N] [--threads LIST] [--load K] [--seed S] [--json]\n' +
    '       npm run stress -- --kills N [--workers-list LIST] [--seed S] [--json]',
  about:
    'Many short runs with more threads than cores, each compared byte for byte with its 1-thread run;\n' +
    'prints runs, phase changes exercised and mismatches; exits 1 on any mismatch.\n' +
    'With --kills N: kills a run (kill -9) N times at random moments, resumes it each time, and\n' +
    'compares its final model.safetensors with an uninterrupted run; exits 1 on any difference.',
  flags: {
    runs: { type: 'string', value: 'N', description: 'runs to compare', default: '500' },
    threads: { type: 'string', value: 'LIST', description: 'thread counts, comma-separated', default: '2,3,5' },
    load: { type: 'string', value: 'K', description: 'processes burning CPU beside the runs', default: '0' },
    seed: { type: 'string', value: 'S', description: 'picks the configs', default: '1' },
    kills: { type: 'string', value: 'N', description: 'kill -9 and resume one run N times instead' },
    'workers-list': {
      type: 'string',
      value: 'LIST',
      description: 'with --kills: worker counts the run alternates between',
      default: '1,2',
    },
    json: { type: 'boolean', description: 'JSON lines only' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

function digest(weights: Record<string, NamedTensor>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(weights).sort()) {
    const data = weights[name].data;
    hash.update(name).update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** Processes that keep every core busy until they are killed. */
function burnCpu(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const values = args.values;
    const runs = integerFlag(values.runs, 'runs')!;
    const threads = values.threads.split(',').map((t) => integerFlag(t, 'threads', { max: 256 })!);
    const load = integerFlag(values.load, 'load', { min: 0 })!;
    const seed = integerFlag(values.seed, 'seed', { min: 0 })!;
    const say = (line: object | string) =>
      io.stdout.write((values.json || typeof line !== 'string' ? JSON.stringify(line) : line) + '\n');
    if (values.kills !== undefined) return kills(values, seed, say);

    const burners = burnCpu(load);
    const stopBurners = () => burners.forEach((b) => b.kill('SIGKILL'));
    process.on('exit', stopBurners);
    const transitions = new Map<TransitionKind, number>();
    const mismatches: object[] = [];
    let done = 0;
    const started = performance.now();
    try {
      for (let index = 0; done < runs; index++) {
        const c = stressCase(seed, index);
        const reference = digest((await train(c.config, { write: false, workers: 1 })).weights);
        for (const workers of threads) {
          if (done >= runs) break;
          const weights = digest((await train(c.config, { write: false, workers })).weights);
          done++;
          for (const [kind, count] of transitionsOf(c)) transitions.set(kind, (transitions.get(kind) ?? 0) + count);
          if (weights !== reference) {
            mismatches.push({ case: index, workers, config: c.config });
            say({ mismatch: { case: index, workers, reference, weights } });
          }
        }
        if (!values.json && index % 10 === 9) say(`${done} runs, ${mismatches.length} mismatches`);
      }
    } finally {
      stopBurners();
    }
    const total = [...transitions.values()].reduce((a, b) => a + b, 0);
    say({
      runs: done,
      threads,
      load,
      transitions: total,
      byKind: Object.fromEntries(transitions),
      mismatches: mismatches.length,
      seconds: Math.round((performance.now() - started) / 1000),
    });
    if (mismatches.length > 0) throw new UserError(`✖ ${mismatches.length} runs differ from their 1-thread run`, 1);
  });
}

async function kills(
  values: { kills?: string; 'workers-list': string },
  seed: number,
  say: (line: object | string) => void,
): Promise<number> {
  const count = integerFlag(values.kills, 'kills', { max: 10_000 })!;
  const workers = values['workers-list'].split(',').map((w) => integerFlag(w, 'workers-list', { max: 256 })!);
  const report = await runKills({ kills: count, workers, seed, say });
  say(report);
  if (!report.completed || report.mismatches > 0 || report.failures.length > 0) {
    throw new UserError(`✖ ${report.failures.join('\n') || 'the killed run did not complete'}`, 1);
  }
  return 0;
}

if (isScript(import.meta.url)) await runScript(main);
