import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import type { FaultSpec } from './fixtures/faulty-trainer.ts';
import { digest, mnistConfig, runNode, tempDir, userErrorOf, type KernelKind } from './helpers.ts';

/**
 * A worker that throws or exits mid-step: the step is retried on fresh workers and the result is
 * bitwise the one without the fault; after 3 failures of one step the run stops naming the step.
 * Faults come from a wrapper of the worker module (fixtures/faulty-trainer.ts). The MNIST config's
 * chunks take long enough that a worker always takes some of them: the fault really fires (its
 * token directory is checked).
 */
const s = suite('worker faults');
const faultyWorker = fileURLToPath(new URL('./fixtures/faulty-trainer.ts', import.meta.url));

function config(kernels: KernelKind, workers: number, clipGradientNorm?: number, units?: number): RunConfigInput {
  const c = mnistConfig({ kernels, workers, units });
  // A hang becomes a failed step after 10 s instead of the default 120 s.
  return { ...c, train: { ...c.train, clipGradientNorm }, parallel: { ...c.parallel, stepTimeoutSeconds: 10 } };
}

/**
 * For a fault in a clipped step's UPDATE phase: a model whose update is long (401,930 parameters in
 * 64 ranges, Adam: ~2 ms of reference-kernel work), so that a worker woken by the phase's publish
 * still finds ranges to take. With the small model the coordinator, woken on a loaded machine, took
 * every one of its 13 short ranges before a worker ran (it preempts the worker on its core): the
 * fault never fired in 5 tries in some full test runs. Few rows keep the steps cheap.
 */
function clippedConfig(workers: number): RunConfigInput {
  const c = config('reference', workers, 0.5);
  return {
    ...c,
    data: { source: 'mnist', train: 200, test: 0 },
    model: { layers: [{ type: 'affine', units: 512 }, { type: 'relu' }, { type: 'affine', units: 10 }] },
    train: { ...c.train, batchSize: 40, optimizer: { type: 'adam', learningRate: 0.001 } },
  };
}

const cleanDigests = new Map<string, string>();
async function cleanDigest(kernels: KernelKind): Promise<string> {
  if (!cleanDigests.has(kernels)) {
    const clean = await train(config(kernels, 1), { write: false });
    cleanDigests.set(kernels, digest(clean.weights));
  }
  return cleanDigests.get(kernels)!;
}

/** Trains with the faulty worker module; returns the result (or the error) and how many faults fired. */
async function faultyRun(
  fault: Omit<FaultSpec, 'dir'>,
  kernels: KernelKind,
  workers: number,
  clip?: number,
  units?: number,
) {
  const dir = tempDir('shardprop-fault-');
  // Worker threads copy the environment when they start, the fresh ones of a retry too.
  process.env.SHARDPROP_FAULT = JSON.stringify({ ...fault, dir });
  const runConfig = clip === undefined ? config(kernels, workers, undefined, units) : clippedConfig(workers);
  const run = train(runConfig, { write: false, workerFile: faultyWorker });
  run.catch(() => {}).finally(() => delete process.env.SHARDPROP_FAULT);
  return { run, fired: () => readdirSync(dir).length };
}

/**
 * A fault in an UPDATE range fires only if a worker takes a range at step ≥ 3; on a loaded machine
 * the coordinator can finish every range of every such step before a worker wakes. Such a run
 * tested nothing, so it is repeated (up to 5 times) until the fault fired once.
 */
async function runWithUpdateFault(
  fault: Omit<FaultSpec, 'dir' | 'times'>,
  kernels: KernelKind,
  { workers = 2, clip }: { workers?: number; clip?: number } = {},
) {
  for (let attempt = 1; ; attempt++) {
    const { run, fired } = await faultyRun({ ...fault, times: 1 }, kernels, workers, clip);
    const result = await run;
    if (fired() === 1 || attempt === 5) return { result, fired: fired() };
  }
}

// Reference kernels: their chunks take milliseconds, so a worker always takes some of them (with
// the wasm kernels the coordinator alone can finish a small step before a loaded worker wakes).
for (const kernels of ['reference'] as const) {
  for (const kind of ['throw', 'exit'] as const) {
    s(`${kernels}: a worker that ${kind}s once from step 3 on: same weights as without the fault`, async () => {
      const { run, fired } = await faultyRun({ kind, step: 3, times: 1, phase: 'chunk' }, kernels, 2);
      const result = await run;
      assert.is(fired(), 1, 'the fault fired once');
      assert.is(digest(result.weights), await cleanDigest(kernels), 'weights after a retried step');
    });
  }

  s(
    `${kernels}: a worker that dies after writing its share of the update: the retry gives the same weights`,
    async () => {
      // The update of a step goes to the uncommitted buffer; with an in-place update this run would
      // retry the step from half-updated parameters and end with different weights.
      const { result, fired } = await runWithUpdateFault({ kind: 'exit', step: 3, phase: 'update' }, kernels);
      assert.is(fired, 1, 'the fault fired in one of 5 runs');
      assert.is(digest(result.weights), await cleanDigest(kernels), 'weights after a step retried from mid-update');
    },
  );
}

for (const kind of ['throw', 'exit'] as const) {
  s(`a worker that ${kind}s 3 times stops the run naming the step`, async () => {
    // Wider layers (~0.1 s of reference-kernel work per step): the fresh worker of each retry takes
    // a chunk of the retried step before the coordinator has done them all, also on a loaded machine
    // (with the narrow model a retry could complete without the worker, and the third fault hit
    // another step).
    const { run, fired } = await faultyRun({ kind, step: 3, times: 3, phase: 'chunk' }, 'reference', 2, undefined, 256);
    const error = await userErrorOf(run);
    assert.is(fired(), 3);
    assert.is(error.exitCode, 1);
    const step = /^step (\d+) failed 3 times/.exec(error.message)?.[1];
    assert.ok(step !== undefined && Number(step) >= 3, error.message);
    assert.match(error.message, kind === 'throw' ? `injected fault at step ${step}` : 'exited');
    assert.ok(error.cause instanceof Error, 'the last StepFailure is kept as the cause');
    // The last failure was noticed through the pool (the worker's own error), not by the step timeout.
    assert.not.match(error.message, 'timed out');
  });
}

s('3 threads, a fault twice (one retry left): same weights as without the fault', async () => {
  const { run, fired } = await faultyRun({ kind: 'exit', step: 3, times: 2, phase: 'chunk' }, 'reference', 3);
  const result = await run;
  assert.is(fired(), 2);
  assert.is(digest(result.weights), await cleanDigest('reference'));
});

s('clipping: a worker that dies after its part of a clipped UPDATE: the retry gives the same weights', async () => {
  // The retry starts again from the TRAIN phase: the gradient is reduced afresh, never scaled twice.
  const { result, fired } = await runWithUpdateFault({ kind: 'exit', step: 3, phase: 'clipped-update' }, 'reference', {
    workers: 3,
    clip: 0.5,
  });
  assert.is(fired, 1, 'the fault fired in one of 5 runs');
  const clean = await train(clippedConfig(1), { write: false });
  assert.is(digest(result.weights), digest(clean.weights), 'weights after a clipped step retried from mid-update');
  const unclipped = clippedConfig(1);
  unclipped.train = { ...unclipped.train, clipGradientNorm: undefined };
  const notClipped = await train(unclipped, { write: false });
  assert.is.not(digest(clean.weights), digest(notClipped.weights), 'clipping at 0.5 changed nothing');
});

s('a process whose run failed on worker faults ends by itself (no thread or timer left behind)', async () => {
  const script = join('test', 'train', 'fixtures', 'failing-run.ts');
  assert.ok(existsSync(script));
  const child = await runNode([script], 60_000);
  assert.not.ok(child.timedOut, `the child did not exit within 60 s\n${child.stdout}\n${child.stderr}`);
  assert.is(child.code, 0, child.stderr);
  assert.match(child.stdout, /failed 3 times/);
});

s.run();
