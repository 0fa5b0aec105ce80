import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { parseConfig } from '../config/load.ts';
import type { RunConfig, RunConfigInput } from '../config/schema.ts';
import { copyInputs, isByteInputs } from '../data/inputs.ts';
import { rereadOf } from '../data/reread.ts';
import type { Dataset, Inputs, Split } from '../data/types.ts';
import { RunDirectory } from '../io/run-dir.ts';
import type { NamedTensor } from '../io/safetensors.ts';
import { initBuffers, initParams } from '../model/init.ts';
import { confusionOf } from '../use/confusion.ts';
import { describeModel } from '../use/describe.ts';
import type { WorkerChoice } from './auto-workers.ts';
import { allocateArena, arenaViews, type ArenaViews } from './arena.ts';
import type { Checkpoint, TrainingState } from './checkpoint.ts';
import { Coordinator } from './coordinator.ts';
import { runEpochs, type LoopResult } from './epochs.ts';
import { finalScores, type FinalScores } from './final-scores.ts';
import type { EpochMetrics, StepProgress, TrainSummary } from './metrics.ts';
import { machineInfo } from './machine.ts';
import { optimizerStateCount } from './optimizer.ts';
import { resumePoint } from './resume.ts';
import { prepareRun } from './setup.ts';
import { weightsOf } from './weights.ts';

export type { EpochMetrics, StepProgress, TrainSummary } from './metrics.ts';

export interface TrainOptions {
  /** Overrides config.parallel.workers (speed only: the weights do not change). */
  workers?: number;
  /** Write the run directory (config.output.dir) — default true. */
  write?: boolean;
  /** Names the config in error messages, e.g. `config runs/x.json`. */
  source?: string;
  /** Replace an existing run directory. */
  force?: boolean;
  /**
   * Continue the run in config.output.dir from its newest checkpoint (the same config, apart from
   * speed settings): the final weights are byte-identical to an uninterrupted run's.
   */
  resume?: boolean;
  /** Stops the run gracefully: the current step finishes, a checkpoint is written, status `interrupted`. */
  signal?: AbortSignal;
  /** Before the data is read (it can take seconds: a 60k-image IDX file). */
  onLoadingData?: () => void;
  onStart?: (config: RunConfig, resumedFrom: TrainingState | null, run: StartInfo) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  onStep?: (progress: StepProgress) => void;
  /** A step failed (a worker crashed or threw) and is retried on fresh workers. */
  onRetry?: (what: string, attempt: number, error: Error) => void;
  /** Non-fatal problems: features on very different scales, an unreadable checkpoint skipped. */
  onWarning?: (message: string) => void;
  /** The module each worker thread runs (default workers/trainer.ts); a wrapper must serve the same protocol. */
  workerFile?: string;
}

/** What a run is about to do, once its data is loaded: for a one-line summary. */
export interface StartInfo {
  /** Features per sample, then each layer's per-sample output size. */
  readonly widths: number[];
  readonly parameters: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly workers: WorkerChoice;
}

export interface TrainResult {
  config: RunConfig;
  metrics: EpochMetrics[];
  weights: Record<string, NamedTensor>;
  summary: TrainSummary;
}

/**
 * Trains the model a config describes: validates everything first (config, data, model, memory),
 * then claims the run directory (or reopens it to resume), lays out the shared arena, and runs
 * epochs of data-parallel steps.
 */
export async function train(input: RunConfig | RunConfigInput, options: TrainOptions = {}): Promise<TrainResult> {
  const raw = structuredClone(input) as RunConfigInput;
  if (options.workers !== undefined) raw.parallel = { ...raw.parallel, workers: options.workers };
  const config = parseConfig(raw, options.source);
  options.onLoadingData?.();
  const { dataset, validation, classWeights, plan, setup, workers } = await prepareRun(config);
  for (const warning of dataset.warnings) options.onWarning?.(warning);
  if (setup.threads > availableParallelism()) {
    options.onWarning?.(
      `${setup.threads} threads on ${availableParallelism()} cores: the weights are the same, ` +
        `but threads beyond the cores only wait for each other (parallel.workers)`,
    );
  }
  // Allocated and filled before the run directory is claimed: a machine without the memory, or an
  // IDX file changed before its bytes were read again (fillArena), is a clean error.
  const memory = allocateArena(setup.layout);
  const views = arenaViews(memory, setup.layout);
  await fillArena(views, dataset, validation);
  const directory = openDirectory(config, options);
  try {
    const stateCount = optimizerStateCount(config.train.optimizer);
    const warn = options.onWarning ?? (() => {});
    const resumed =
      directory && options.resume
        ? resumePoint(directory.path, config, plan.paramCount, stateCount, warn, plan.bufferCount, plan.inputShape)
        : null;
    if (directory && !resumed) {
      directory.writeJson('config.json', config);
      directory.writeJson('model.json', describeModel(config, plan, dataset));
      directory.writeAtomic('metrics.jsonl', '');
    }
    if (directory && resumed) {
      // Epochs logged after the checkpoint was written are done again: the log restarts from it.
      directory.writeAtomic('metrics.jsonl', resumed.state.metrics.map((m) => JSON.stringify(m) + '\n').join(''));
      directory.remove('summary.json');
    }
    options.onStart?.(config, resumed?.state ?? null, {
      widths: [plan.inputs, ...plan.shapes.map((shape) => shape.reduce((a, b) => a * b, 1))],
      parameters: plan.paramCount,
      trainRows: dataset.train.count,
      testRows: dataset.test?.count ?? 0,
      workers,
    });

    if (resumed) loadCheckpoint(views, resumed);
    if (classWeights) views.classWeights.set(classWeights);
    if (!resumed) initParams(plan, views.params[0], config.seed);
    if (!resumed) initBuffers(plan, views.buffers[0]);
    const coordinator = new Coordinator(memory, setup, {
      stepTimeoutMs: config.parallel.stepTimeoutSeconds * 1000,
      workerFile: options.workerFile,
      onRetry: options.onRetry,
    });
    const started = performance.now();
    let loop: LoopResult;
    let final: FinalScores = {};
    try {
      await coordinator.start();
      const start = resumed?.state ?? { epoch: 1, stepInEpoch: 0, step: 0, lossSum: 0, correct: 0, metrics: [] };
      const [validating, best] = [validation !== null, resumed?.best ?? null];
      loop = await runEpochs(
        { config, plan, dataset, views, coordinator, directory, threads: setup.threads, validating, best, ...options },
        start,
      );
      if (loop.status === 'complete') final = await finalScores(config, dataset, validating, coordinator, loop);
    } finally {
      await coordinator.close();
    }
    if (directory && dataset.test && dataset.task === 'classification' && loop.status === 'complete') {
      const split = dataset.test;
      const params = coordinator.committedParams();
      const buffers = coordinator.committedBuffers();
      const { classNames } = dataset;
      const kernels = setup.kernels;
      directory.writeJson('confusion.json', confusionOf({ plan, params, buffers, split, classNames, kernels }));
    }
    const metrics = [...loop.state.metrics];
    const last = metrics.at(-1);
    const summary: TrainSummary = {
      name: config.name,
      status: loop.status,
      epochs: metrics.length,
      steps: loop.state.step,
      ...(resumed ? { resumedFromStep: resumed.state.step } : {}),
      loss: last?.loss ?? null,
      trainAccuracy: last?.trainAccuracy ?? null,
      testAccuracy: last?.testAccuracy ?? null,
      ...final,
      ...loop.selection?.summary(metrics.length, config.train.epochs),
      ...(dataset.task === 'regression'
        ? { testMse: last?.testMse ?? null, testMae: last?.testMae ?? null, testR2: last?.testR2 ?? null }
        : {}),
      seconds: (performance.now() - started) / 1000,
      samplesPerSec: loop.trainSeconds > 0 ? loop.samplesTrained / loop.trainSeconds : null,
      workers: setup.threads,
      chunks: setup.chunks,
      kernels: setup.kernels,
      parameters: plan.paramCount,
      machine: machineInfo(),
    };
    directory?.writeJson('summary.json', summary);
    const weights = weightsOf(plan, coordinator.committedParams(), coordinator.committedBuffers());
    return { config, metrics, weights, summary };
  } finally {
    directory?.release(); // the lock, also when training fails
  }
}

function openDirectory(config: RunConfig, options: TrainOptions): RunDirectory | null {
  if (options.write === false) return null;
  if (options.resume) return RunDirectory.reopen(config.output.dir);
  return RunDirectory.claim(config.output.dir, options.force ?? false);
}

/**
 * Moves the data in (the validation rows after the test rows). The splits then refer to the arena's
 * copy (also for the confusion matrix at the end) and the loader's buffers are freed: the data is
 * not held twice. Bytes that can be read again from their file (IDX: data/reread.ts) are freed
 * first and read straight into the arena, so that not even the copying holds them twice.
 */
async function fillArena(views: ArenaViews, dataset: Dataset, validation: Split | null): Promise<void> {
  const { features, targetWidth } = dataset;
  const moves = [
    { split: dataset.train, inputs: views.trainInputs, targets: views.trainTargets, first: 0 },
    dataset.test && { split: dataset.test, inputs: views.testInputs, targets: views.testTargets, first: 0 },
    validation && {
      ...{ split: validation, inputs: views.testInputs, targets: views.testTargets },
      first: dataset.test?.count ?? 0,
    },
  ].filter((move) => move !== null);
  const regions = moves.map(({ split, inputs, targets, first }) => {
    const [into, intoTargets] = [
      inputs.subarray(first * features, (first + split.count) * features),
      targets.subarray(first * targetWidth, (first + split.count) * targetWidth),
    ];
    intoTargets.set(split.targets);
    split.targets = intoTargets;
    const source = split.inputs;
    const reread = isByteInputs(source) && into instanceof Uint8Array ? rereadOf(source.bytes) : undefined;
    return { split, into, reread };
  });
  const loaded = moves.map(({ split }) => dataBuffer(split.inputs));
  for (const { split, into, reread } of regions) if (!reread) moveIn(split, into, views.inputValues);
  await releaseNow(loaded);
  for (const { split, into, reread } of regions) {
    if (!reread || !isByteInputs(split.inputs) || !(into instanceof Uint8Array)) continue;
    await reread(into);
    views.inputValues.set(split.inputs.values);
    split.inputs = { bytes: into, values: views.inputValues };
  }
}

/** A resumed run's checkpoint: parameters, optimizer state and buffers into buffer 0. */
function loadCheckpoint(views: ArenaViews, resumed: Checkpoint): void {
  views.params[0].set(resumed.params);
  resumed.optimizerState.forEach((vector, j) => views.optimizerState[0][j].set(vector));
  views.buffers[0].set(resumed.buffers);
}

/** Copies a split's inputs into `into` (its region of the arena) and points the split at the copy. */
function moveIn(split: Split, into: Float32Array | Uint8Array, inputValues: Float32Array): void {
  if (isByteInputs(split.inputs) && into instanceof Uint8Array) {
    into.set(split.inputs.bytes);
    inputValues.set(split.inputs.values);
    split.inputs = { bytes: into, values: inputValues };
  } else if (into instanceof Float32Array) {
    copyInputs(split.inputs, 0, into.length, into); // bytes decoded once (parallel.inputStorage)
    split.inputs = into;
  } else throw new Error('the arena holds inputs of another type than the data');
}

/** The buffer behind a split's inputs as the loader made it. */
function dataBuffer(inputs: Inputs): ArrayBufferLike {
  return isByteInputs(inputs) ? inputs.bytes.buffer : inputs.buffer;
}

/**
 * Frees the loader's input buffers now rather than at some later garbage collection, which could
 * come after the worker threads have started and so add the data's size to the run's peak memory:
 * a buffer transferred to a closed port is released with the dropped message, by the time the port's
 * `close` event comes (not before: resolving earlier, the bytes read again into the arena would
 * coexist with them). Only for buffers that hold nothing but the data (the loaders allocate them
 * for it) and are no longer used.
 */
async function releaseNow(buffers: (ArrayBufferLike | null | undefined)[]): Promise<void> {
  const own = [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0);
  if (own.length === 0) return;
  const { port1, port2 } = new MessageChannel();
  const released = once(port2, 'close');
  port2.close();
  port1.postMessage(null, own);
  port1.close();
  await released;
}
