import { availableParallelism } from 'node:os';
import type { ModelConfig } from '../config/model-schema.ts';
import type { OptimizerConfig, RunConfig } from '../config/schema.ts';
import { loadDataset } from '../data/load.ts';
import { shapeOf } from '../data/shape.ts';
import { isByteInputs } from '../data/inputs.ts';
import { holdOutValidation } from '../data/split.ts';
import type { Dataset, Split } from '../data/types.ts';
import { UserError } from '../errors.ts';
import { WASM_RESERVED_BYTES } from '../kernels/wasm.ts';
import { planModel, type ModelPlan } from '../model/plan.ts';
import { MAX_ARENA_BYTES } from './arena.ts';
import { chooseWorkers, type WorkerChoice } from './auto-workers.ts';
import { batchNormPartialCount } from './batch-norm-stages.ts';
import { resolveClassWeights } from './class-weights.ts';
import { spinMicrosFor } from './control.ts';
import { MAX_PHASE_ITEMS } from './phase.ts';
import { layoutArena, type ArenaLayout } from './layout.ts';
import { optimizerStateCount } from './optimizer.ts';
import { rangeCountFor } from './partition.ts';
import { measureScratchFloats } from './thread-model.ts';

/**
 * Everything a compute thread needs to rebuild its view of a run: plain data, sent once to each
 * worker through workerData alongside the shared memory.
 */
export interface RunSetup {
  readonly model: ModelConfig;
  readonly optimizer: OptimizerConfig;
  readonly features: number;
  /** Per-sample shape of the inputs ([features], or [channels, height, width] for images). */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** `regression`: the targets are values (mse), and a chunk's second statistic is Σ|y − t|, not correct rows. */
  readonly task: 'classification' | 'regression';
  /** Target values per row: 1 (a class index) or the regressor's outputs. */
  readonly targetWidth: number;
  readonly trainCount: number;
  readonly testCount: number;
  /** Rows of the validation split (0 without data.validation); evaluated after the test rows. */
  readonly validationCount: number;
  readonly chunks: number;
  /** Rows of the largest chunk: ceil(batchSize / chunks). Evaluation uses chunks of this size too. */
  readonly maxRows: number;
  /** Pieces the parameter vector is cut into for the parallel reduce. */
  readonly rangeCount: number;
  readonly kernels: 'wasm' | 'reference';
  readonly threads: number;
  /** How long a waiting thread spins before it sleeps (control.ts: spinMicrosFor). */
  readonly spinMicros: number;
  readonly layout: ArenaLayout;
  /** The run's seed (dropout masks are keyed by it). */
  readonly seed: number;
  /** For learning-rate schedules: steps per epoch and over the configured run. */
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** train.clipGradientNorm: the TRAIN phase only reduces, an UPDATE phase clips and updates. */
  readonly clipGradientNorm?: number;
  /** The loss is class-weighted by the arena's classWeights region (train.classWeights). */
  readonly classWeighted: boolean;
}

export interface PreparedRun {
  /**
   * The data; with data.validation as a share, its training split no longer holds the validation
   * rows (as a file, the training split is whole). `dataset.validation` is moved to `validation`.
   */
  readonly dataset: Dataset;
  readonly validation: Split | null;
  /** Per-class loss weights (train.classWeights resolved), or null. */
  readonly classWeights: Float32Array | null;
  readonly plan: ModelPlan;
  readonly setup: RunSetup;
  /** How many threads compute, and why (`parallel.workers` resolved). */
  readonly workers: WorkerChoice;
}

/**
 * Everything that can be checked before a run claims its directory or starts a thread: the data
 * loads and validates, the model fits the data, the whole arena fits in memory.
 */
export async function prepareRun(config: RunConfig): Promise<PreparedRun> {
  // Data that alone cannot fit in the arena is refused from its headers, naming the data.
  const loaded = await loadDataset(config.data, config.seed, { maxBytes: MAX_ARENA_BYTES });
  const { dataset, validation } = withValidation(loaded, config);
  checkEarlyStopping(config, validation !== null);
  const classWeights = resolveClassWeights(
    config.train.classWeights,
    config.model.loss,
    dataset.train.targets,
    dataset.classes,
  );
  const plan = planModel(config.model, shapeOf(dataset));
  const last = config.model.layers.length - 1;
  if (dataset.task === 'regression') checkRegressor(config, plan, dataset);
  else if (plan.outputs !== dataset.classes) {
    throw new UserError(
      `the model ends with ${plan.outputs} outputs but the data has ${dataset.classes} classes ` +
        `(${dataset.classesFrom}): make the last affine layer's units ${dataset.classes}\n  → at model.layers[${last}]`,
    );
  }
  const { chunks, kernels } = config.parallel;
  const batchSize = Math.min(config.train.batchSize, dataset.train.count);
  const choice = chooseWorkers(config.parallel.workers, {
    batchRows: batchSize,
    paramCount: plan.paramCount,
    chunks,
    cores: availableParallelism(),
  });
  const workers = choice.count;
  const maxRows = Math.ceil(batchSize / chunks);
  const testCount = dataset.test?.count ?? 0;
  const validationCount = validation?.count ?? 0;
  const evalChunks = Math.ceil(Math.max(testCount, validationCount) / maxRows);
  if (evalChunks > MAX_PHASE_ITEMS) {
    throw new UserError(
      `the test split is too large for chunks of ${maxRows} rows; raise train.batchSize\n  → at train.batchSize`,
    );
  }
  const statsEntries = Math.max(chunks, evalChunks);
  const rangeCount = rangeCountFor(plan.paramCount);
  const clipGradientNorm = config.train.clipGradientNorm;
  const layout = layoutArena({
    reservedBytes: WASM_RESERVED_BYTES,
    paramCount: plan.paramCount,
    optimizerStateCount: optimizerStateCount(config.train.optimizer),
    chunks,
    statsEntries,
    threads: workers,
    features: dataset.features,
    bytesPerInput: arenaBytesPerInput(config.parallel.inputStorage, dataset, testCount + validationCount),
    trainCount: dataset.train.count,
    // The evaluation region: the test rows, then the validation rows.
    testCount: testCount + validationCount,
    targetWidth: dataset.targetWidth,
    scratchFloats: measureScratchFloats(plan, maxRows, dataset.targetWidth),
    clipRanges: clipGradientNorm === undefined ? 0 : rangeCount,
    weightedClasses: classWeights ? dataset.classes : 0,
    bufferCount: plan.bufferCount,
    batchNormPartials: batchNormPartialCount(plan, chunks),
  });
  if (layout.bytes > MAX_ARENA_BYTES) {
    const gib = (layout.bytes / 2 ** 30).toFixed(1);
    throw new UserError(
      `the run needs ${gib} GiB of shared memory (${plan.paramCount} parameters × ${chunks} gradient slots, ` +
        `data and activations); at most 4 GiB fit: use fewer units, chunks or workers\n  → at model.layers`,
    );
  }
  const setup: RunSetup = {
    model: config.model,
    optimizer: config.train.optimizer,
    features: dataset.features,
    inputShape: shapeOf(dataset),
    classes: dataset.classes,
    task: dataset.task,
    targetWidth: dataset.targetWidth,
    trainCount: dataset.train.count,
    testCount,
    validationCount,
    chunks,
    maxRows,
    rangeCount,
    kernels,
    threads: workers,
    layout,
    spinMicros: spinMicrosFor(workers, availableParallelism()),
    seed: config.seed,
    stepsPerEpoch: Math.ceil(dataset.train.count / batchSize),
    totalSteps: config.train.epochs * Math.ceil(dataset.train.count / batchSize),
    ...(clipGradientNorm === undefined ? {} : { clipGradientNorm }),
    classWeighted: classWeights !== null,
  };
  return { dataset, validation, classWeights, plan, setup, workers: choice };
}

/** Above this size of float32 inputs, `parallel.inputStorage: "auto"` keeps image data as bytes in the arena. */
export const AUTO_BYTES_ABOVE = 64 * 2 ** 20;

/**
 * Bytes per input value in the arena (parallel.inputStorage). Image data loaded as bytes can stay
 * bytes, decoded through its 256 values as a chunk gathers its rows, or be decoded once into
 * float32: the same values either way. Decoding a row costs ~3× a copy of its floats (measured
 * 35–50 µs against 13 µs for 50 MNIST rows), ~15% of a small model's step, while the memory saved
 * matters only for large data: `auto` keeps bytes above AUTO_BYTES_ABOVE of float32 inputs.
 */
export function arenaBytesPerInput(
  storage: RunConfig['parallel']['inputStorage'],
  dataset: Dataset,
  evaluationRows: number,
): 1 | 4 {
  if (!isByteInputs(dataset.train.inputs)) {
    if (storage !== 'bytes') return 4;
    throw new UserError(
      `parallel.inputStorage "bytes" needs image data loaded as bytes (idx or mnist, normalized by a ` +
        `divisor or not at all); this data is float32: use "auto" or "float32"\n  → at parallel.inputStorage`,
    );
  }
  if (storage !== 'auto') return storage === 'bytes' ? 1 : 4;
  return 4 * (dataset.train.count + evaluationRows) * dataset.features > AUTO_BYTES_ABOVE ? 1 : 4;
}

/**
 * data.validation: the rows of a validation file (loaded with the data; the training split stays
 * whole), or a seeded share of the training split held out; none: the data as loaded.
 */
function withValidation(loaded: Dataset, config: RunConfig): { dataset: Dataset; validation: Split | null } {
  const { validation: fromFile, ...dataset } = loaded;
  if (fromFile) return { dataset, validation: fromFile };
  const fraction = config.data.validation;
  if (typeof fraction !== 'number') return { dataset, validation: null };
  const { train, validation } = holdOutValidation(
    dataset.train,
    dataset.features,
    fraction,
    config.seed,
    dataset.targetWidth,
  );
  return { dataset: { ...dataset, train }, validation };
}

/** Early stopping on a validation metric needs a validation split. */
function checkEarlyStopping(config: RunConfig, hasValidation: boolean): void {
  const metric = config.train.earlyStopping?.metric;
  if (metric?.startsWith('validation') && !hasValidation) {
    throw new UserError(
      `train.earlyStopping.metric ${metric} needs a validation split: set data.validation ` +
        `(a share such as 0.1, or a file) or use the metric loss or trainAccuracy\n  → at train.earlyStopping.metric`,
    );
  }
}

/** A regressor (CSV targetColumns) is trained with the mse loss and has one output per target. */
function checkRegressor(config: RunConfig, plan: ModelPlan, dataset: Dataset): void {
  const names = dataset.targetNames ?? [];
  if (config.model.loss !== 'mse') {
    throw new UserError(
      `data.targetColumns makes a regressor (targets ${names.join(', ')}): set model.loss to "mse" ` +
        `(${config.model.loss} needs class labels)\n  → at model.loss`,
    );
  }
  // Not wired for a regressor yet: the validation split's and early stopping's metrics are a classifier's.
  for (const [key, given] of [
    ['data.validation', config.data.validation !== undefined],
    ['train.earlyStopping', config.train.earlyStopping !== undefined],
  ] as const) {
    if (given) throw new UserError(`${key} is not supported for a regressor (targetColumns) yet\n  → at ${key}`);
  }
  if (plan.outputs !== dataset.targetWidth) {
    throw new UserError(
      `the model ends with ${plan.outputs} outputs but the data has ${dataset.targetWidth} target ` +
        `column${dataset.targetWidth === 1 ? '' : 's'} (${names.join(', ')}): make the last affine layer's ` +
        `units ${dataset.targetWidth}\n  → at model.layers[${config.model.layers.length - 1}]`,
    );
  }
}
