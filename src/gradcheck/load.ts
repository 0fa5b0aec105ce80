import { z } from 'zod';
import { formatIssues, readJsonFile } from '../io/json-file.ts';
import { modelSchema, type ModelConfig } from '../config/model-schema.ts';
import { dataShapeSchema } from '../data/shape.ts';
import { UserError } from '../errors.ts';
import { parseGraphSpec } from '../graph/load.ts';
import type { GradcheckSubject } from './check.ts';
import { modelSubject } from './model.ts';
import { graphSubject } from './subjects.ts';

/**
 * What `npm run gradcheck` accepts: a model config (any object with a `model` field, e.g. a full
 * run config, whose other fields are ignored) or a graph spec. The model runs on a seeded random
 * batch; its input width is not in the model section (the data decides it), so it defaults to 5
 * and may be set in an optional `gradcheck` section (a number, or a shape such as [3, 7, 6]).
 */
const modelConfigSchema = z.looseObject({
  model: modelSchema,
  seed: z.int().nonnegative().default(0),
  gradcheck: z
    .strictObject({
      /** Features per sample, or the per-sample shape ([channels, height, width] for image layers). */
      inputs: z
        .union([
          z.int().min(1).max(1024),
          z.array(z.int().min(1).max(1024)).refine((shape) => shape.length === 1 || shape.length === 3, {
            message: 'a shape is [features] or [channels, height, width]',
          }),
        ])
        .default(5),
      rows: z.int().min(1).max(1024).default(4),
    })
    .default({ inputs: 5, rows: 4 }),
});

export interface LoadedSubject {
  readonly kind: 'model' | 'graph';
  readonly subject: GradcheckSubject;
}

export function subjectFromJson(input: unknown): LoadedSubject {
  if (typeof input === 'object' && input !== null && 'model' in input) {
    const result = modelConfigSchema.safeParse(input);
    if (!result.success) throw new UserError(formatIssues(result.error.issues));
    const { model, seed, gradcheck } = result.data;
    if (!hasInputs(input)) checkFlatBatchFits(model, input);
    return { kind: 'model', subject: modelSubject(model, { seed, ...gradcheck }) };
  }
  return { kind: 'graph', subject: graphSubject(parseGraphSpec(input)) };
}

const hasInputs = (input: object): boolean =>
  'gradcheck' in input &&
  typeof input.gradcheck === 'object' &&
  input.gradcheck !== null &&
  'inputs' in input.gradcheck;

/** The layers that take [channels, height, width] images: no flat batch reaches them (no layer unflattens). */
const IMAGE_LAYERS: ReadonlySet<string> = new Set(['conv2d', 'maxpool', 'avgpool']);

/**
 * The default batch is flat rows, which an image model cannot take. The data's shape is not taken
 * instead: a check runs every parameter element twice through a float64 model, well over a minute
 * for the book's CNN on 14×14 images already (432,000 weights at 28×28), while a small image checks
 * the same layers in seconds. So the error says where the shape goes, with the data's as the example.
 */
function checkFlatBatchFits(model: ModelConfig, input: object): void {
  const index = model.layers.findIndex((layer) => IMAGE_LAYERS.has(layer.type));
  if (index < 0) return;
  const data = 'data' in input && typeof input.data === 'object' && input.data !== null ? input.data : {};
  const declared = dataShapeSchema.safeParse('shape' in data ? data.shape : undefined).data;
  const mnist = 'source' in data && data.source === 'mnist' ? [1, 28, 28] : undefined;
  const example = declared?.length === 3 ? declared : (mnist ?? [1, 8, 8]);
  throw new UserError(
    `model.layers[${index}] (${model.layers[index].type}) takes [channels, height, width] images, but the ` +
      `check's random batch is rows of 5 features by default: give its per-sample shape, e.g. ` +
      `"gradcheck": {"inputs": [${example.join(', ')}]} (a small image keeps the check fast)\n  → at gradcheck.inputs`,
  );
}

export function loadSubject(path: string): LoadedSubject {
  return subjectFromJson(readJsonFile(path));
}
