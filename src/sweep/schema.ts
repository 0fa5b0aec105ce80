import { z } from 'zod';

/**
 * The sweep file: a base run config, the values to try at dotted config paths, how often to repeat
 * each point (over seeds), and the metric the trials are ranked by. Every object is strict, so a
 * misspelt key is an error, not a silently ignored setting.
 *
 *   { "name": "lr-width", "base": "../configs/mnist-mlp.json",
 *     "set":  { "train.epochs": 3 },
 *     "grid": { "train.optimizer.learningRate": [0.03, 0.1, 0.3], "model.layers.0.units": [25, 50, 100] },
 *     "repeats": 2, "rank": { "metric": "testAccuracy" } }
 */

const DOTTED_PATH = /^[A-Za-z_$][\w$]*(\.[\w$]+)*$/;

/**
 * An object keyed by dotted config paths (`train.optimizer.learningRate`, `model.layers.0.units`:
 * object keys and array indices joined by dots). Checked here rather than with a key schema, whose
 * failures zod reports only as "Invalid key in record".
 */
function byPath<T extends z.ZodType>(value: T) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record))
      if (!DOTTED_PATH.test(key))
        ctx.addIssue({
          code: 'custom',
          message: 'a config path is keys and array indices joined by dots, e.g. train.epochs',
          path: [key],
        });
  });
}

const range = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low < high, 'a range is [low, high] with low < high');

/** One random parameter: exactly one of the four kinds. */
const distribution = z
  .strictObject({
    uniform: range.optional(),
    logUniform: range.refine(([low]) => low > 0, 'a log-uniform range needs low > 0').optional(),
    int: z
      .tuple([z.int(), z.int()])
      .refine(([low, high]) => low <= high, 'an int range is [low, high] with low ≤ high')
      .optional(),
    choice: z.array(z.unknown()).min(1).optional(),
  })
  .refine((d) => Object.keys(d).length === 1, 'give exactly one of uniform, logUniform, int or choice');

export type Distribution = z.infer<typeof distribution>;

/** validation*: with data.validation, the metrics that choose between trials without looking at the test split. */
export const RANK_METRICS = [
  'testAccuracy',
  'testLoss',
  'trainAccuracy',
  'loss',
  'validationAccuracy',
  'validationLoss',
] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export const sweepSchema = z
  .strictObject({
    /** Names the sweep: its default output directory and its queue. */
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.-]+$/, 'use letters, digits, dot, dash or underscore'),
    /** A run config: a path (relative to the sweep file) or the config itself. */
    base: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Values every trial gets (e.g. fewer epochs than the base config). */
    set: byPath(z.unknown()).default({}),
    /** Every combination of these values. */
    grid: byPath(z.array(z.unknown()).min(1)).optional(),
    /** `count` points drawn from the distributions, reproducibly from `seed`. */
    random: z
      .strictObject({
        seed: z
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .default(0),
        count: z.int().min(1).max(100_000),
        params: byPath(distribution),
      })
      .optional(),
    /** Points given one by one. */
    list: z.array(byPath(z.unknown())).min(1).optional(),
    /** Each point is trained with seeds seed, seed+1, …, seed+repeats−1. */
    repeats: z.int().min(1).max(1000).default(1),
    rank: z
      .strictObject({
        metric: z.enum(RANK_METRICS).default('testAccuracy'),
        /** Default: max for accuracies, min for losses. */
        direction: z.enum(['max', 'min']).optional(),
      })
      .default({ metric: 'testAccuracy' })
      .transform((rank) => ({
        metric: rank.metric,
        direction: rank.direction ?? (rank.metric.endsWith('Accuracy') ? ('max' as const) : ('min' as const)),
      })),
  })
  .superRefine((sweep, ctx) => {
    // Values are applied in this order: set, grid, random, list. A path given twice, or a path
    // inside one that is applied later (and so replaced by it), would make a trial ambiguous.
    const applied: { path: string; at: (string | number)[] }[] = [
      ...Object.keys(sweep.set).map((path) => ({ path, at: ['set', path] })),
      ...Object.keys(sweep.grid ?? {}).map((path) => ({ path, at: ['grid', path] })),
      ...Object.keys(sweep.random?.params ?? {}).map((path) => ({ path, at: ['random', 'params', path] })),
      ...[...new Set((sweep.list ?? []).flatMap((point) => Object.keys(point)))].map((path) => ({
        path,
        at: ['list'],
      })),
    ];
    applied.forEach((later, j) => {
      for (const earlier of applied.slice(0, j)) {
        const where = earlier.at[0];
        if (earlier.path === later.path)
          ctx.addIssue({ code: 'custom', message: `${later.path} is already set in ${where}`, path: later.at });
        else if (earlier.path.startsWith(later.path + '.'))
          ctx.addIssue({
            code: 'custom',
            message: `${later.path} would replace ${earlier.path} (set in ${where}), which is inside it`,
            path: later.at,
          });
      }
    });
  });

export type SweepInput = z.input<typeof sweepSchema>;
export type Sweep = z.output<typeof sweepSchema>;
