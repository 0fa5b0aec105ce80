import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunConfigInput } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { createRng } from '../random.ts';

/**
 * `npm run stress -- --kills N`: kill -9 a real run N times at seeded random moments, resume it each
 * time (alternating worker counts), and compare the final model.safetensors with an uninterrupted
 * run's. With a checkpoint after every step, kills land in start-up, mid-step, mid-checkpoint-write,
 * between a checkpoint and the pruning of the old ones, and around epoch ends.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BATCH = fileURLToPath(new URL('../cli/batch.ts', import.meta.url));
const RESUME = fileURLToPath(new URL('../cli/resume.ts', import.meta.url));

const EPOCHS = 4;
const TRAIN_ROWS = 480;
const BATCH_SIZE = 16;
const STEPS_PER_EPOCH = Math.ceil(TRAIN_ROWS / BATCH_SIZE);
const KEEP = 2;

/** A small Adam run (optimizer state matters) with a checkpoint after every step. */
export function killsConfig(): RunConfigInput {
  return {
    name: 'stress-kills',
    seed: 11,
    data: { source: 'synthetic', kind: 'spiral', n: 600 },
    model: { layers: [{ type: 'affine', units: 24 }, { type: 'tanh' }, { type: 'affine', units: 3 }] },
    train: { epochs: EPOCHS, batchSize: BATCH_SIZE, optimizer: { type: 'adam', learningRate: 0.01 } },
    parallel: { workers: 1, chunks: 4, kernels: 'wasm' },
    checkpoint: { everySteps: 1, keep: KEEP },
  };
}

export interface KillsOptions {
  kills: number;
  workers: number[];
  seed: number;
  say: (line: string) => void;
}

export interface KillsReport {
  interruptions: number;
  completed: boolean;
  /** How many kills landed in each state (see `stateAfterKill`). */
  states: Record<string, number>;
  /** Distinct (checkpoint step, state) pairs the kills left behind. */
  distinctPoints: number;
  resumedWorkers: number[];
  reference: string;
  final: string | null;
  mismatches: number;
  failures: string[];
  seconds: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

interface Child {
  readonly exited: Promise<Exit>;
  readonly kill: () => void;
  done: boolean;
}

function start(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const handle: Child = {
    done: false,
    kill: () => child.kill('SIGKILL'),
    exited: new Promise((resolve) =>
      child.on('close', (code, signal) => {
        handle.done = true;
        resolve({ code, signal, stderr });
      }),
    ),
  };
  return handle;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Steps of the checkpoints in `dir`, newest first. */
function checkpointSteps(dir: string): number[] {
  return listing(join(dir, 'checkpoints'))
    .map((name) => /^step-(\d+)\.safetensors$/.exec(name)?.[1])
    .filter((step) => step !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
}

/** Where a kill caught the run, read from what it left in `dir`. */
function stateAfterKill(dir: string, stepBefore: number): { state: string; step: number } {
  const steps = checkpointSteps(dir);
  const step = steps[0] ?? 0;
  const temporary = (names: string[]) => names.some((name) => /\.tmp-\d+$/.test(name));
  if (!existsSync(join(dir, 'config.json'))) return { state: 'start-up, before config.json', step };
  if (temporary(listing(join(dir, 'checkpoints')))) return { state: 'mid checkpoint write', step };
  if (temporary(listing(dir))) return { state: 'mid model/config write', step };
  if (steps.length > KEEP) return { state: 'between a checkpoint and pruning', step };
  if (step === stepBefore) return { state: 'start-up or first step (no new checkpoint)', step };
  return { state: step % STEPS_PER_EPOCH === 0 ? 'just after an epoch end' : 'mid-epoch', step };
}

/** The metrics that must match an uninterrupted run (timings and worker counts removed). */
function outcome(dir: string): string {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    })
    .join('\n');
}

/** Waits until `dir` holds a checkpoint newer than `step` (training is under way) or the child exits. */
async function untilProgress(child: Child, dir: string, step: number): Promise<void> {
  while (!child.done && (checkpointSteps(dir)[0] ?? 0) <= step) await sleep(2);
}

export async function runKills(options: KillsOptions): Promise<KillsReport> {
  const { kills, workers, say } = options;
  const rng = createRng(options.seed, 91, kills);
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'shardprop-kills-'));
  try {
    const configFile = join(work, 'config.json');
    writeFileSync(configFile, JSON.stringify(killsConfig(), null, 2));
    const referenceDir = join(work, 'reference');
    const totalSteps = EPOCHS * STEPS_PER_EPOCH;

    // The uninterrupted run, timed: start-up (to its first checkpoint) and training.
    const t0 = performance.now();
    const ref = start(BATCH, [configFile, '--out', referenceDir, '--workers', '1']);
    await untilProgress(ref, referenceDir, 0);
    const startupMs = performance.now() - t0;
    const refExit = await ref.exited;
    if (refExit.code !== 0)
      throw new UserError(`✖ the uninterrupted run failed (exit ${refExit.code}):\n${refExit.stderr}`, 1);
    const trainMs = Math.max(50, performance.now() - t0 - startupMs);
    const reference = sha256(join(referenceDir, 'model.safetensors'));
    say(`uninterrupted run: start-up ${Math.round(startupMs)} ms, training ${Math.round(trainMs)} ms, ${reference}`);

    const dir = join(work, 'killed');
    const states: Record<string, number> = {};
    const points = new Set<string>();
    const failures: string[] = [];
    const resumedWorkers: number[] = [];
    let interruptions = 0;
    let completed = false;
    for (let attempt = 0; !completed; attempt++) {
      const w = workers[attempt % workers.length];
      // Until the directory holds a run (config.json), a kill left nothing to resume: start again.
      const fresh = !existsSync(join(dir, 'config.json'));
      if (!fresh) resumedWorkers.push(w);
      const stepBefore = checkpointSteps(dir)[0] ?? 0;
      const child = fresh
        ? start(BATCH, [configFile, '--out', dir, '--workers', String(w)])
        : start(RESUME, [dir, '--workers', String(w)]);
      if (interruptions < kills) {
        // One kill in six lands anywhere in start-up; the others once training is under way, after a
        // random share of the time left, so the N kills spread over the whole run.
        if (rng.next() < 1 / 6) await sleep(rng.next() * startupMs);
        else {
          await untilProgress(child, dir, stepBefore);
          const left = trainMs * Math.max(0.05, 1 - stepBefore / totalSteps);
          await sleep(rng.next() * ((2 * left) / (kills - interruptions + 1)));
        }
        child.kill();
      }
      const exit = await child.exited;
      if (exit.code === 0) {
        completed = true;
        break;
      }
      if (exit.signal !== 'SIGKILL') {
        failures.push(`attempt ${attempt + 1} (${fresh ? 'batch' : 'resume'}, workers ${w}) exited ${exit.code}:`);
        failures.push(exit.stderr.trim());
        break;
      }
      interruptions++;
      const { state, step } = stateAfterKill(dir, stepBefore);
      states[state] = (states[state] ?? 0) + 1;
      points.add(`${step}:${state}`);
      say(`kill ${interruptions}: workers ${w}, checkpoint step ${step}/${totalSteps}, ${state}`);
    }
    const final = completed ? sha256(join(dir, 'model.safetensors')) : null;
    let mismatches = 0;
    if (completed && final !== reference) {
      mismatches++;
      failures.push(`model.safetensors sha256 ${final} differs from the uninterrupted ${reference}`);
    }
    if (completed && outcome(dir) !== outcome(referenceDir)) {
      mismatches++;
      failures.push('metrics.jsonl (losses, accuracies) differs from the uninterrupted run');
    }
    if (completed) {
      const status = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status;
      if (status !== 'complete') failures.push(`summary.json status is ${status}, not complete`);
    }
    const seconds = Math.round((performance.now() - started) / 1000);
    const distinctPoints = points.size;
    return {
      interruptions,
      completed,
      states,
      distinctPoints,
      resumedWorkers,
      reference,
      final,
      mismatches,
      failures,
      seconds,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
