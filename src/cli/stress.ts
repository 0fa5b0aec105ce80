/**
 * npm run stress -- [--runs N] [--threads 2,3,5] [--load K] [--seed S] [--json]
 * Many short training runs with more threads than cores (plus, with --load, K processes burning
 * CPU beside them), over configs that go through every kind of phase change. Each run's weights
 * are hashed and compared with the same config's 1-thread run: any difference is a broken
 * determinism promise. Prints runs, phase changes exercised and mismatches; exits 1 on a mismatch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { NamedTensor } from '../io/safetensors.ts';
import { UserError, runCli } from '../errors.ts';
import { stressCase, transitionsOf, type TransitionKind } from '../stress/plan.ts';
import { train } from '../train/train.ts';
import { parseCliArgs } from './args.ts';

const USAGE = 'npm run stress -- [--runs N] [--threads 2,3,5] [--load K] [--seed S] [--json]';

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UserError(`✖ expected a whole number ≥ 1, got "${text}" → at ${flag}`);
  return value;
}

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

await runCli(async () => {
  const { values } = parseCliArgs(
    process.argv.slice(2),
    {
      runs: { type: 'string', default: '500' },
      threads: { type: 'string', default: '2,3,5' },
      load: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const runs = positiveInt(values.runs, '--runs');
  const threads = values.threads.split(',').map((t) => positiveInt(t, '--threads'));
  const load = values.load === '0' ? 0 : positiveInt(values.load, '--load');
  const seed = positiveInt(values.seed, '--seed');
  const say = (line: object | string) =>
    console.log(values.json ? JSON.stringify(line) : typeof line === 'string' ? line : JSON.stringify(line));

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
