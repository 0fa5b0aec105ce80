import { availableParallelism } from 'node:os';
import type { ModelConfig } from '../config/model-schema.ts';
import type { OptimizerConfig, RunConfig } from '../config/schema.ts';
import { loadDataset } from '../data/load.ts';
import { isByteInputs } from '../data/inputs.ts';
import type { Dataset } from '../data/types.ts';
import { UserError } from '../errors.ts';
import { WASM_RESERVED_BYTES } from '../kernels/wasm.ts';
import { planModel, type ModelPlan } from '../model/plan.ts';
import { MAX_ARENA_BYTES } from './arena.ts';
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
  readonly classes: number;
  readonly trainCount: number;
  readonly testCount: number;
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
}

export interface PreparedRun {
  readonly dataset: Dataset;
  readonly plan: ModelPlan;
  readonly setup: RunSetup;
}

/**
 * Everything that can be checked before a run claims its directory or starts a thread: the data
 * loads and validates, the model fits the data, the whole arena fits in memory.
 */
export async function prepareRun(config: RunConfig): Promise<PreparedRun> {
  refuseUnwired(config);
  // Data that alone cannot fit in the arena is refused from its headers, naming the data.
  const dataset = await loadDataset(config.data, config.seed, { maxBytes: MAX_ARENA_BYTES });
  const plan = planModel(config.model, dataset.features);
  const last = config.model.layers.length - 1;
  if (plan.outputs !== dataset.classes) {
    throw new UserError(
      `the model ends with ${plan.outputs} outputs but the data has ${dataset.classes} classes ` +
        `(${dataset.classesFrom}): make the last affine layer's units ${dataset.classes}\n  → at model.layers[${last}]`,
    );
  }
  const { chunks, workers, kernels } = config.parallel;
  const batchSize = Math.min(config.train.batchSize, dataset.train.count);
  const maxRows = Math.ceil(batchSize / chunks);
  const testCount = dataset.test?.count ?? 0;
  if (Math.ceil(testCount / maxRows) > MAX_PHASE_ITEMS) {
    throw new UserError(
      `the test split is too large for chunks of ${maxRows} rows; raise train.batchSize\n  → at train.batchSize`,
    );
  }
  const statsEntries = Math.max(chunks, Math.ceil(testCount / maxRows));
  const layout = layoutArena({
    reservedBytes: WASM_RESERVED_BYTES,
    paramCount: plan.paramCount,
    optimizerStateCount: optimizerStateCount(config.train.optimizer),
    chunks,
    statsEntries,
    threads: workers,
    features: dataset.features,
    bytesPerInput: isByteInputs(dataset.train.inputs) ? 1 : 4,
    trainCount: dataset.train.count,
    testCount,
    scratchFloats: measureScratchFloats(plan, maxRows),
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
    classes: dataset.classes,
    trainCount: dataset.train.count,
    testCount,
    chunks,
    maxRows,
    rangeCount: rangeCountFor(plan.paramCount),
    kernels,
    threads: workers,
    layout,
    spinMicros: spinMicrosFor(workers, availableParallelism()),
    seed: config.seed,
    stepsPerEpoch: Math.ceil(dataset.train.count / batchSize),
    totalSteps: config.train.epochs * Math.ceil(dataset.train.count / batchSize),
  };
  return { dataset, plan, setup };
}

/**
 * Techniques whose config is validated but which the trainer does not apply yet: refused by name
 * rather than silently ignored.
 */
function refuseUnwired(config: RunConfig): void {
  for (const key of ['classWeights', 'clipGradientNorm', 'earlyStopping'] as const) {
    if (config.train[key] !== undefined) {
      throw new UserError(`train.${key} is not supported by the trainer yet; remove it\n  → at train.${key}`);
    }
  }
}
