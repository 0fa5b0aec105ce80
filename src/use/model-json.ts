/**
 * model.json: what a run directory's model is, so that it loads without the run's config — the
 * layers with their configs and shapes, the name and shape of every tensor in model.safetensors,
 * the weight layout, the loss, the class names and the preprocessing of the inputs. Written by
 * training (describeModel), read by loadModel, eval, predict and export. Strict: unknown keys are
 * errors, like the configs.
 */
import { z } from 'zod';
import { layerSchema } from '../config/model-schema.ts';
import { UserError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';

export const MODEL_FORMAT = 'shardprop-model';
export const MODEL_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'model.safetensors';

const shape = z.array(z.int().min(1)).min(1);

/**
 * What was done to raw input rows before the first layer saw them, with the training split's
 * statistics (src/data/preprocess.ts on the `data` branch writes the same objects). null: nothing.
 */
const preprocessingSchema = z
  .discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('none') }),
    z.looseObject({ kind: z.literal('divide'), divisor: z.number().positive() }),
    z.looseObject({ kind: z.literal('minmax'), min: z.array(z.number()), max: z.array(z.number()) }),
    z.looseObject({ kind: z.literal('standardize'), mean: z.array(z.number()), std: z.array(z.number()) }),
  ])
  .nullable();

export type StoredPreprocessing = z.infer<typeof preprocessingSchema>;

const layerDescriptionSchema = z.strictObject({
  type: z.string(),
  /** The layer's resolved config, as in the run's config.json. */
  config: layerSchema,
  inputShape: shape,
  outputShape: shape,
  /** Its tensors in model.safetensors, in order. */
  params: z.array(z.strictObject({ name: z.string().min(1), shape })),
});

export const modelDescriptionSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  /** classification: one output per class, the largest is the prediction. regression: the outputs are. */
  task: z.enum(['classification', 'regression']),
  input: z.strictObject({ features: z.int().min(1), shape }),
  outputs: z.int().min(1),
  /** Class names in class-index order, or null when the classes are just their indices. */
  classes: z.array(z.string().min(1)).nullable(),
  /** A regressor's target names in output order (its CSV targetColumns); absent or null otherwise. */
  targets: z.array(z.string().min(1)).nullable().optional(),
  loss: z.enum(['softmax-cross-entropy', 'mse']),
  preprocessing: preprocessingSchema,
  /** The smallest and largest input the first layer saw in training (after preprocessing). */
  inputRange: z.strictObject({ min: z.number(), max: z.number() }).nullable(),
  weights: z.strictObject({
    file: z.literal(WEIGHTS_FILE),
    dtype: z.literal('F32'),
    /** `in,out`: an affine weight is [inputs, units] and y = x·W + b (the transpose of torch.nn.Linear). */
    layout: z.literal('in,out'),
  }),
  /** The kernels training ran on: loadModel uses them too, so predictions repeat training's bit for bit. */
  kernels: z.enum(['wasm', 'reference']),
  layers: z.array(layerDescriptionSchema).min(1),
});

export type ModelDescription = z.infer<typeof modelDescriptionSchema>;
export type LayerDescription = ModelDescription['layers'][number];

/** Reads and checks `path` (a model.json); every problem is a `✖ … → at path field` line. */
export function readModelDescription(path: string): ModelDescription {
  const raw = readJsonFile(path, 'model description');
  const format = (raw as { format?: unknown; version?: unknown } | null) ?? {};
  if (format.format === MODEL_FORMAT && typeof format.version === 'number' && format.version > MODEL_VERSION) {
    throw new UserError(`✖ written by a newer shardprop (model.json version ${format.version}) → at ${path}`);
  }
  const parsed = modelDescriptionSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.length ? ` ${z.core.toDotPath(issue.path)}` : '';
      return `✖ model description: ${issue.message} → at ${path}${field}`;
    });
    throw new UserError(lines.join('\n'));
  }
  const description = parsed.data;
  const classes = description.classes;
  if (classes !== null) {
    if (classes.length !== description.outputs) {
      throw new UserError(`✖ ${classes.length} class names for ${description.outputs} outputs → at ${path} classes`);
    }
    if (new Set(classes).size !== classes.length) throw new UserError(`✖ class names repeat → at ${path} classes`);
  }
  const targets = description.targets;
  if (targets && targets.length !== description.outputs) {
    throw new UserError(`✖ ${targets.length} target names for ${description.outputs} outputs → at ${path} targets`);
  }
  return description;
}
