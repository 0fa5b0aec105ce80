/** Shared by the tests of loadModel, eval, predict and export: trained and hand-made run directories. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import type { RunConfig, RunConfigInput } from '../../src/config/schema.ts';
import { loadDataset } from '../../src/data/load.ts';
import type { Dataset } from '../../src/data/types.ts';
import { UserError } from '../../src/errors.ts';
import { encodeSafetensors, weightsMetadata, type NamedTensor } from '../../src/io/safetensors.ts';
import { planModel, type ModelPlan } from '../../src/model/plan.ts';
import { train, type TrainResult } from '../../src/train/train.ts';
import { describeModel, type DescribedData } from '../../src/use/describe.ts';
import type { Io } from '../../src/cli/io.ts';
import { repoRoot } from '../support/cli.ts';

export { repoRoot } from '../support/cli.ts';
export { tempDir } from '../support/temp.ts';

export interface TrainedRun {
  readonly dir: string;
  readonly result: TrainResult;
  readonly dataset: Dataset;
  readonly plan: ModelPlan;
}

/**
 * Trains `config` into `dir` in-process (1 worker) and makes sure the run has its model.json: the
 * trainer writes it (describeModel, the line the lead adds to train.ts); until then this writes
 * the same content here.
 */
export async function trainRun(config: RunConfigInput, dir: string): Promise<TrainedRun> {
  const input = { ...config, output: { dir }, parallel: { ...config.parallel, workers: 1 } } as RunConfigInput;
  const result = await train(input, { force: true });
  const dataset = await loadDataset(result.config.data, result.config.seed);
  const plan = planModel(result.config.model, dataset.features);
  if (!existsSync(join(dir, 'model.json'))) {
    writeFileSync(join(dir, 'model.json'), JSON.stringify(describeModel(result.config, plan, dataset), null, 2));
  }
  return { dir, result, dataset, plan };
}

/** 500 training and 100 test digits, 784-32-10, batch 100 in 8 chunks (training evaluates in 13-row chunks). */
export function mnistConfig(kernels: 'wasm' | 'reference' = 'wasm'): RunConfigInput {
  return {
    name: 'use-mnist',
    seed: 3,
    data: { source: 'mnist', train: 500, test: 100 },
    model: { layers: [{ type: 'affine', units: 32 }, { type: 'relu' }, { type: 'affine', units: 10 }] },
    train: { epochs: 2, batchSize: 100, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: { workers: 1, chunks: 8, kernels },
  };
}

/**
 * A run directory made by hand: config.json, model.json (describeModel) and model.safetensors
 * holding `weights` (every tensor of the plan, by name). No training.
 */
export function handMadeRun(
  dir: string,
  input: RunConfigInput,
  data: DescribedData,
  weights: Record<string, number[]>,
  /** [channels, height, width] for an image model; default: flat rows of data.features. */
  shape?: readonly number[],
): { config: RunConfig; plan: ModelPlan } {
  const config = parseConfig({ ...input, output: { dir } });
  const plan = planModel(config.model, shape ?? data.features);
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, NamedTensor> = {};
  for (const p of [...plan.params, ...plan.buffers]) {
    assert.ok(weights[p.name], `handMadeRun: no values for ${p.name}`);
    tensors[p.name] = { shape: p.shape, data: Float32Array.from(weights[p.name]) };
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(describeModel(config, plan, data), null, 2));
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors, weightsMetadata(1)));
  return { config, plan };
}

/** An Io whose output is kept, with the test's directory as the working directory. */
export function memoryIo(cwd = repoRoot): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    cwd,
    env: {},
    out: () => out,
    err: () => err,
  };
}

/** The UserError `action` throws or rejects with; fails the test for anything else. */
export async function userErrorOf(action: () => unknown): Promise<UserError> {
  try {
    await action();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${(error as Error)?.stack ?? String(error)}`);
    return error as UserError;
  }
  assert.unreachable('expected a UserError, nothing was thrown');
  throw new Error('unreachable');
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <script> -- args` as a user would (from the repository root). */
export function runScript(script: string, args: string[], timeoutMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
