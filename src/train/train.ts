import { parseConfig } from '../config/load.ts';
import type { RunConfig, RunConfigInput } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { encodeSafetensors, type NamedTensor } from '../io/safetensors.ts';
import { RunDirectory } from '../io/run-dir.ts';
import { initParams } from '../model/init.ts';
import type { ModelPlan } from '../model/plan.ts';
import { createRng, permutation, STREAM } from '../random.ts';
import { arenaViews, createArenaMemory, type ArenaViews } from './arena.ts';
import type { ArenaLayout } from './layout.ts';
import { Coordinator, type CoordinatorOptions } from './coordinator.ts';
import { prepareRun } from './prepare.ts';

export interface EpochMetrics {
  epoch: number;
  /** Mean training loss over the epoch's samples (as they were seen, during the epoch). */
  loss: number;
  /** Share of the epoch's training samples classified right when they were seen. */
  trainAccuracy: number;
  /** Share of the test split classified right after the epoch (null without a test split). */
  testAccuracy: number | null;
  testLoss: number | null;
  samplesPerSec: number;
  seconds: number;
  workers: number;
}

export interface StepProgress {
  epoch: number;
  step: number;
  steps: number;
  samples: number;
  loss: number;
  seconds: number;
}

export interface TrainOptions {
  /** Overrides config.parallel.workers (speed only: the weights do not change). */
  workers?: number;
  /** Write the run directory (config.output.dir) — default true. */
  write?: boolean;
  /** Names the config in error messages, e.g. `config runs/x.json`. */
  source?: string;
  /** Replace an existing run directory. */
  force?: boolean;
  onStart?: (config: RunConfig) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  onStep?: (progress: StepProgress) => void;
  /** Tests only: make a worker fail (see CoordinatorOptions.fault). */
  fault?: CoordinatorOptions['fault'];
}

export interface TrainSummary {
  name: string;
  epochs: number;
  steps: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
  samplesPerSec: number;
  workers: number;
  chunks: number;
  kernels: string;
  parameters: number;
}

export interface TrainResult {
  config: RunConfig;
  metrics: EpochMetrics[];
  weights: Record<string, NamedTensor>;
  summary: TrainSummary;
}

/**
 * Trains the model a config describes: validates everything first, then claims the run
 * directory, lays out the shared arena, and runs epochs of data-parallel steps.
 */
export async function train(input: RunConfig | RunConfigInput, options: TrainOptions = {}): Promise<TrainResult> {
  const raw = structuredClone(input) as RunConfigInput;
  if (options.workers !== undefined) raw.parallel = { ...raw.parallel, workers: options.workers };
  const config = parseConfig(raw, options.source);
  const { dataset, plan, setup } = await prepareRun(config);
  // Allocated before the run directory is claimed: a machine without the memory is a clean error.
  const memory = allocateArena(setup.layout);
  const directory = options.write === false ? null : RunDirectory.claim(config.output.dir, options.force ?? false);
  directory?.writeJson('config.json', config);
  options.onStart?.(config);

  const views = arenaViews(memory, setup.layout);
  views.trainInputs.set(dataset.train.inputs);
  views.trainTargets.set(dataset.train.targets);
  if (dataset.test) {
    views.testInputs.set(dataset.test.inputs);
    views.testTargets.set(dataset.test.targets);
  }
  initParams(plan, views.params[0], config.seed);

  const coordinator = new Coordinator(memory, setup, {
    stepTimeoutMs: config.parallel.stepTimeoutSeconds * 1000,
    fault: options.fault,
  });
  const metrics: EpochMetrics[] = [];
  const started = performance.now();
  let trainSeconds = 0;
  let step = 0;
  try {
    await coordinator.start();
    const batchSize = config.train.batchSize;
    const count = dataset.train.count;
    const steps = Math.ceil(count / batchSize);
    for (let epoch = 1; epoch <= config.train.epochs; epoch++) {
      const epochStart = performance.now();
      // The order of epoch e depends only on (seed, e): any epoch can be reproduced on its own.
      views.order.set(permutation(count, createRng(config.seed, STREAM.order, epoch)));
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < steps; s++) {
        const start = s * batchSize;
        const size = Math.min(batchSize, count - start);
        const stats = await coordinator.trainStep(step, start, size);
        if (!Number.isFinite(stats.lossSum) || coordinator.gradientNonFinite()) {
          throw nonFiniteError(plan, views, epoch, s, step, stats.lossSum, directory?.path);
        }
        step++;
        coordinator.commitStep();
        lossSum += stats.lossSum;
        correct += stats.correct;
        options.onStep?.({
          epoch,
          step: s + 1,
          steps,
          samples: start + size,
          loss: lossSum / (start + size),
          seconds: (performance.now() - epochStart) / 1000,
        });
      }
      const trainEnd = performance.now();
      // Finite gradients can still overflow the parameters in the update. A next step would see
      // it, but after an epoch's last step nothing does: never checkpoint or return such weights.
      const overflowed = plan.params.find((p) =>
        coordinator.shard
          .committedParams()
          .subarray(p.offset, p.offset + p.size)
          .some((v) => !Number.isFinite(v)),
      );
      if (overflowed) {
        const kept = directory
          ? `; the last good weights are in ${directory.path}/model.safetensors (if an epoch finished)`
          : '';
        throw new UserError(
          `training diverged at epoch ${epoch}, step ${steps} (global step ${step}): the update made ${overflowed.name} ` +
            `(layer ${overflowed.layer}, ${plan.config.layers[overflowed.layer].type}) non-finite. Lower the learning rate${kept}`,
          1,
        );
      }
      trainSeconds += (trainEnd - epochStart) / 1000;
      const test = dataset.test ? await coordinator.evaluate() : null;
      const seconds = (performance.now() - epochStart) / 1000;
      const epochMetrics: EpochMetrics = {
        epoch,
        loss: lossSum / count,
        trainAccuracy: correct / count,
        testAccuracy: test ? test.correct / test.count : null,
        testLoss: test ? test.lossSum / test.count : null,
        samplesPerSec: count / ((trainEnd - epochStart) / 1000),
        seconds,
        workers: setup.threads,
      };
      metrics.push(epochMetrics);
      directory?.appendLine('metrics.jsonl', epochMetrics);
      // A checkpoint per epoch: if a later epoch fails, the last good weights stay on disk.
      directory?.writeAtomic(
        'model.safetensors',
        encodeSafetensors(weightsOf(plan, coordinator.shard.committedParams()), { format: 'pt', epoch: String(epoch) }),
      );
      options.onEpoch?.(epochMetrics);
    }
  } finally {
    await coordinator.close();
  }
  const last = metrics[metrics.length - 1];
  const summary: TrainSummary = {
    name: config.name,
    epochs: metrics.length,
    steps: step,
    loss: last.loss,
    trainAccuracy: last.trainAccuracy,
    testAccuracy: last.testAccuracy,
    seconds: (performance.now() - started) / 1000,
    samplesPerSec: (dataset.train.count * metrics.length) / trainSeconds,
    workers: setup.threads,
    chunks: setup.chunks,
    kernels: setup.kernels,
    parameters: plan.paramCount,
  };
  directory?.writeJson('summary.json', summary);
  return { config, metrics, weights: weightsOf(plan, coordinator.shard.committedParams()), summary };
}

function allocateArena(layout: ArenaLayout): WebAssembly.Memory {
  try {
    return createArenaMemory(layout);
  } catch (error) {
    throw new UserError(
      `cannot allocate ${(layout.bytes / 2 ** 20).toFixed(0)} MiB of shared memory for this run ` +
        `(${(error as Error).message}): use fewer units, chunks or workers`,
    );
  }
}

/** Copies of every parameter tensor, named like `layers.0.weight`. */
function weightsOf(plan: ModelPlan, params: Float32Array): Record<string, NamedTensor> {
  return Object.fromEntries(
    plan.params.map((p) => [p.name, { shape: p.shape, data: params.slice(p.offset, p.offset + p.size) }]),
  );
}

function nonFiniteError(
  plan: ModelPlan,
  views: ArenaViews,
  epoch: number,
  stepInEpoch: number,
  step: number,
  lossSum: number,
  dir?: string,
): UserError {
  const bad = plan.params.find((p) =>
    views.grads.subarray(p.offset, p.offset + p.size).some((g) => !Number.isFinite(g)),
  );
  const where = bad
    ? `the gradient of ${bad.name} (layer ${bad.layer}, ${plan.config.layers[bad.layer].type})`
    : `the loss (${plan.config.loss})`;
  const what = Number.isFinite(lossSum) ? 'a non-finite gradient' : `a non-finite loss (${lossSum})`;
  const kept = dir ? `; the last good weights are in ${dir}/model.safetensors (if an epoch finished)` : '';
  return new UserError(
    `training diverged at epoch ${epoch}, step ${stepInEpoch + 1} (global step ${step + 1}): ${what} in ${where}. Lower the learning rate${kept}`,
    1,
  );
}
