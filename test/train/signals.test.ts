import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { writeTemp } from '../support/temp.ts';
import { repoRoot, tempDir } from './helpers.ts';

/**
 * Stopping a run the way supervisors do: a signal to the npm process (`npm run batch`), which is
 * what `kill`, `Popen.terminate()` and `docker stop` reach. The node process under npm must stop
 * too (no orphan left training), leave an interrupted summary and a checkpoint, and the run must
 * resume to the uninterrupted run's exact bytes.
 */
const s = suite('signals through npm');

/** Long enough (≈ 1 s of training) to be signalled mid-run; each step heavy enough to be caught in. */
function config(dir: string): RunConfigInput {
  return {
    name: 'signals-test',
    seed: 5,
    data: { source: 'synthetic', kind: 'spiral', n: 600 },
    model: { layers: [{ type: 'affine', units: 64 }, { type: 'tanh' }, { type: 'affine', units: 3 }] },
    train: { epochs: 15, batchSize: 32, optimizer: { type: 'adam', learningRate: 0.01 } },
    parallel: { workers: 1, chunks: 2, kernels: 'wasm' },
    output: { dir },
  };
}

/**
 * 4 million parameters on 2 threads: a step takes long enough (and waits for the other thread, so
 * signals are handled in it) for a second signal, sent once the first is acknowledged, to land in it.
 */
function heavyConfig(dir: string): RunConfigInput {
  const c = config(dir);
  return {
    ...c,
    data: { source: 'synthetic', kind: 'spiral', n: 40 },
    parallel: { workers: 2, chunks: 2, kernels: 'wasm' },
    model: {
      layers: [
        { type: 'affine', units: 2048 },
        { type: 'tanh' },
        { type: 'affine', units: 2048 },
        { type: 'tanh' },
        { type: 'affine', units: 3 },
      ],
    },
    train: { ...c.train, epochs: 2, batchSize: 16 },
  };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
interface NpmRun {
  pid: number;
  /** Resolves when stdout or stderr has printed `text`. */
  printed: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `npm run <args>` from the repository root, in its own process group (as a shell's job would be). */
function npm(args: string[]): NpmRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.INIT_CWD;
  const child = spawn('npm', ['run', '--silent', ...args], { cwd: repoRoot, env, detached: true });
  let output = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const seen = (chunk: Buffer) => {
    output += chunk;
    for (const w of waiting.filter((w) => output.includes(w.text))) w.resolve();
  };
  child.stdout.on('data', seen);
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    seen(chunk);
  });
  return {
    pid: child.pid!,
    printed: (text) => new Promise((resolve) => (output.includes(text) ? resolve() : waiting.push({ text, resolve }))),
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))),
  };
}

/** Processes still alive in process group `group`, or whose command line names `dir` (zombies are dead already). */
function leftovers(group: number, dir: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.endsWith('<defunct>'))
    .filter((line) => Number(line.split(/\s+/)[1]) === group || line.includes(dir));
}

function checkpoints(dir: string): string[] {
  return existsSync(join(dir, 'checkpoints')) ? readdirSync(join(dir, 'checkpoints')) : [];
}

/**
 * `npm run batch` of `file` into a fresh directory; once training is under way (`trigger` printed)
 * `signal` is sent to the npm pid, and with `again`, once more as soon as the run acknowledges it.
 */
async function interruptedRun(file: string, trigger: string, signal: NodeJS.Signals, again = false) {
  const dir = join(tempDir(), 'run');
  const run = npm(['batch', '--', file, '--out', dir, '--json']);
  await run.printed(trigger);
  process.kill(run.pid, signal);
  if (again) {
    await run.printed(`${signal}: stopping after this step`);
    process.kill(run.pid, signal);
  }
  return { dir, pid: run.pid, exit: await run.exited };
}

async function finalDigest(input: RunConfigInput, dir: string): Promise<string> {
  await train(input);
  return sha256(join(dir, 'model.safetensors'));
}

type Interrupted = Awaited<ReturnType<typeof interruptedRun>>;
let terminated: Promise<Interrupted>;
let interruptedTwice: Promise<Interrupted>;
let reference: Promise<string>;
let heavyReference: Promise<string>;

// npm and tsx take seconds to start on a busy machine: both runs go at once, and the references
// (trained in this process, which then reacts late to what the runs print) once both have stopped.
s.before(() => {
  const work = tempDir();
  const file = writeTemp(work, 'config.json', JSON.stringify(config('unused')));
  const heavyFile = writeTemp(work, 'heavy.json', JSON.stringify(heavyConfig('unused')));
  terminated = interruptedRun(file, '{"epoch":1,', 'SIGTERM');
  interruptedTwice = interruptedRun(heavyFile, '{"config":', 'SIGINT', true);
  const stopped = Promise.all([terminated, interruptedTwice]);
  reference = stopped.then(() => finalDigest(config(join(work, 'reference')), join(work, 'reference')));
  heavyReference = stopped.then(() => finalDigest(heavyConfig(join(work, 'heavy')), join(work, 'heavy')));
});

s(
  'SIGTERM to the npm pid: node stops too, exit 143, interrupted + checkpoint, resume gives the same bytes',
  async () => {
    const { dir, pid, exit } = await terminated;
    assert.is(exit.code, 143, exit.stderr);
    assert.equal(leftovers(pid, dir), []);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.is(summary.status, 'interrupted');
    assert.ok(summary.epochs < 15, `still training when signalled (${summary.epochs} epochs done)`);
    assert.ok(checkpoints(dir).some((name) => name.endsWith('.safetensors')));
    assert.match(exit.stderr, /npm run resume -- /);

    const resumed = await npm(['resume', '--', dir, '--json']).exited;
    assert.is(resumed.code, 0, resumed.stderr);
    assert.is(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status, 'complete');
    assert.is(sha256(join(dir, 'model.safetensors')), await reference);
  },
);

s('two SIGINTs to the npm pid: the second exits at once (130), the directory still resumes exactly', async () => {
  const { dir, pid, exit } = await interruptedTwice;
  assert.is(exit.code, 130, exit.stderr);
  assert.match(exit.stderr, /SIGINT again: exiting now/, exit.stderr);
  assert.not.match(exit.stderr, /stopped by SIGINT/, 'the second signal came too late to test anything');
  assert.equal(leftovers(pid, dir), []);
  // In this process (npm resume is covered above): the directory a hard exit left must continue exactly.
  const resumed = await train(heavyConfig(dir), { resume: true });
  assert.is(resumed.summary.status, 'complete');
  assert.is(sha256(join(dir, 'model.safetensors')), await heavyReference);
});

s.run();
