import { z } from 'zod';

/**
 * Config schemas of the training techniques: learning-rate schedules (in the optimizer), class
 * weights, gradient clipping and early stopping (in `train`). The pure functions that apply them
 * are in src/train/schedule.ts, class-weights.ts, clip.ts and early-stopping.ts.
 */

const epochsOrSteps = z.enum(['epochs', 'steps']);

/**
 * A linear warmup before the schedule: the learning rate climbs from learningRate/W at the first
 * step to learningRate at step W (W = `steps`, or `epochs` × steps per epoch); the schedule's own
 * clock starts when the warmup ends.
 */
const warmupSchema = z
  .strictObject({ steps: z.int().min(1).optional(), epochs: z.int().min(1).optional() })
  .refine((warmup) => (warmup.steps === undefined) !== (warmup.epochs === undefined), {
    message: 'give the warmup length as `steps` or as `epochs` (one of them)',
  });

const warmup = { warmup: warmupSchema.optional() };

/** A multiplier of the decay: in (0, 1]. */
const gamma = z.number().positive().max(1);

export const scheduleSchema = z.discriminatedUnion('type', [
  /** The optimizer's learningRate throughout (after the warmup, if any). */
  z.strictObject({ type: z.literal('constant'), ...warmup }),
  /** × gamma every `every` epochs (or steps): PyTorch's StepLR. */
  z.strictObject({
    type: z.literal('step'),
    every: z.int().min(1),
    unit: epochsOrSteps.default('epochs'),
    gamma: gamma.default(0.1),
    ...warmup,
  }),
  /** × gamma per epoch (or per step), continuously: learningRate · gamma^t (PyTorch's ExponentialLR). */
  z.strictObject({ type: z.literal('exponential'), gamma, unit: epochsOrSteps.default('epochs'), ...warmup }),
  /**
   * Half a cosine from learningRate down to learningRate · minFactor over the rest of the run
   * (Keras's CosineDecay with alpha = minFactor; PyTorch's CosineAnnealingLR with T_max the run).
   */
  z.strictObject({ type: z.literal('cosine'), minFactor: z.number().min(0).max(1).default(0), ...warmup }),
]);

export type Schedule = z.output<typeof scheduleSchema>;

/** Spread into each optimizer's schema: `schedule` is optional, none means a constant learning rate. */
export const scheduleKey = { schedule: scheduleSchema.optional() };

export const EARLY_STOPPING_METRICS = ['validationLoss', 'validationAccuracy', 'loss', 'trainAccuracy'] as const;

export const earlyStoppingSchema = z.strictObject({
  /** Never a test metric: model selection must not look at the test split. */
  metric: z.enum(EARLY_STOPPING_METRICS).default('validationLoss'),
  /** Epochs without improvement after which training stops. */
  patience: z.int().min(1).default(5),
  /** An improvement smaller than this does not count. */
  minDelta: z.number().min(0).default(0),
  /** `auto`: min for a loss, max for an accuracy. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
});

export type EarlyStopping = z.output<typeof earlyStoppingSchema>;

export const classWeightsSchema = z.union(
  [
    z.literal('balanced'),
    z
      .array(z.number().min(0))
      .min(2)
      .refine((weights) => weights.some((w) => w > 0), { message: 'at least one class weight must be above 0' }),
  ],
  { error: 'expected "balanced" or an array with one weight per class' },
);

export type ClassWeights = z.output<typeof classWeightsSchema>;

/** Spread into the `train` section's schema. All optional: absent means off. */
export const trainTechniqueKeys = {
  /** Per-class weights of softmax-cross-entropy, or "balanced": n / (classes · n_c) from the training labels. */
  classWeights: classWeightsSchema.optional(),
  /** Rescale the averaged gradient so its global L2 norm is at most this. */
  clipGradientNorm: z.number().positive().optional(),
  earlyStopping: earlyStoppingSchema.optional(),
  /**
   * With data.validation, the test split is scored once, at the end, so that model selection never
   * looks at it; true scores it after every epoch as well (as without a validation split).
   */
  testEveryEpoch: z.boolean().optional(),
};
