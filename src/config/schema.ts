import { z } from 'zod';
import { dataConfigSchema } from '../data/schema.ts';
import { modelSchema } from './model-schema.ts';
import { scheduleKey, trainTechniqueKeys } from './techniques.ts';

/**
 * The run config: the one source of truth for its types and defaults. Every object is strict, so
 * a misspelt key is an error rather than a silently ignored setting. A section left out is parsed
 * as `{}` (zod's `.prefault`), so its defaults are stated once, on its own keys.
 */

const learningRate = z.number().positive();

/**
 * Weight decay (optimizer.ts applyOptimizer): `weightDecay` wd ≥ 0; `decoupled: true` applies
 * w ← w − lr·wd·w beside the optimizer's step instead of adding wd·w to the gradient (AdamW);
 * `applyTo: "weights"` decays only tensors of 2 or more dimensions (not biases, scale, bias,
 * layer-norm γ/β). Both optional (absent: coupled, on every parameter) so that configs written
 * before them resolve to the same config.json.
 */
const decayKeys = {
  weightDecay: z.number().min(0).default(0),
  decoupled: z.boolean().optional(),
  applyTo: z.enum(['all', 'weights']).optional(),
};

export const optimizerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sgd'), learningRate: learningRate.default(0.1), ...decayKeys, ...scheduleKey }),
  z.strictObject({
    type: z.literal('momentum'),
    learningRate: learningRate.default(0.01),
    momentum: z.number().min(0).lt(1).default(0.9),
    ...decayKeys,
    ...scheduleKey,
  }),
  z.strictObject({
    type: z.literal('adagrad'),
    learningRate: learningRate.default(0.01),
    epsilon: z.number().positive().default(1e-7),
    ...decayKeys,
    ...scheduleKey,
  }),
  z.strictObject({
    type: z.literal('adam'),
    learningRate: learningRate.default(0.001),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
    ...decayKeys,
    ...scheduleKey,
  }),
]);

export const MAX_WORKERS = 256;

export const runConfigSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[\w.-]+$/, 'use letters, digits, dot, dash or underscore')
      .default('run'),
    seed: z
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(42),
    data: dataConfigSchema,
    model: modelSchema,
    train: z.strictObject({
      epochs: z.int().min(1).default(1),
      batchSize: z
        .int()
        .min(1)
        .max(1 << 20)
        .default(100),
      optimizer: optimizerSchema.prefault({ type: 'sgd' }),
      ...trainTechniqueKeys,
    }),
    parallel: z
      .strictObject({
        /**
         * Threads computing chunks, the coordinator's own included. Decides only the speed. `auto`:
         * as many as the work of a step can keep busy (src/train/auto-workers.ts).
         */
        workers: z
          .union([z.literal('auto'), z.int().min(1).max(MAX_WORKERS)], {
            error: `expected "auto" or a whole number from 1 to ${MAX_WORKERS}`,
          })
          .default('auto'),
        /** Pieces each batch is cut into. Decides the arithmetic (and so the exact weights). */
        chunks: z.int().min(1).max(4096).default(8),
        /** `wasm`: WebAssembly SIMD kernels; `reference`: the plain TypeScript ones. */
        kernels: z.enum(['wasm', 'reference']).default('wasm'),
        /**
         * How image inputs kept as bytes (idx, mnist) sit in the shared memory. `bytes`: as bytes,
         * decoded as a chunk gathers its rows (a quarter of the memory); `float32`: decoded once, when
         * the run starts (a chunk's gather is then a copy, ~3× faster); `auto`: bytes when their float32
         * form would take more than 64 MiB. Decides only the speed and the memory, never the weights.
         */
        inputStorage: z.enum(['auto', 'bytes', 'float32']).default('auto'),
        /** A step that takes longer than this fails (and is retried) instead of hanging. */
        stepTimeoutSeconds: z.number().positive().default(120),
      })
      .prefault({}),
    /** Checkpoints of the whole training state, to resume from: at every epoch's end and, mid-epoch, as set here. */
    checkpoint: z
      .strictObject({
        everySteps: z.int().min(1).optional(),
        everySeconds: z.number().positive().default(300),
        /** How many of the newest checkpoints are kept. */
        keep: z.int().min(1).default(2),
      })
      .prefault({}),
    output: z.strictObject({ dir: z.string().min(1).optional() }).prefault({}),
  })
  .transform((config) => ({ ...config, output: { dir: config.output.dir ?? `runs/${config.name}` } }));

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;

/**
 * The parallel keys that decide only speed and memory, never the weights: a resumed run may change
 * them (train/resume.ts), and a sweep's trial id leaves them out (sweep/trial-id.ts).
 */
export const SPEED_ONLY_PARALLEL_KEYS = ['workers', 'stepTimeoutSeconds', 'inputStorage'] as const;
export type SpeedOnlyParallelKey = (typeof SPEED_ONLY_PARALLEL_KEYS)[number];
export type OptimizerConfig = z.output<typeof optimizerSchema>;
