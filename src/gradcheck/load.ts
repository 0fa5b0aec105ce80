import { z } from 'zod';
import { formatIssues, readJsonFile } from '../io/json-file.ts';
import { modelSchema } from '../config/model-schema.ts';
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
      inputs: z.union([z.int().min(1).max(1024), z.array(z.int().min(1).max(1024)).min(1).max(3)]).default(5),
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
    return { kind: 'model', subject: modelSubject(model, { seed, ...gradcheck }) };
  }
  return { kind: 'graph', subject: graphSubject(parseGraphSpec(input)) };
}

export function loadSubject(path: string): LoadedSubject {
  return subjectFromJson(readJsonFile(path));
}
