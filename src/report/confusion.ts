import { z } from 'zod';
import { UserError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';

/**
 * confusion.json in a run directory: the confusion matrix of the final model on the test split.
 * `matrix[i][j]` counts the test samples whose true class is `classes[i]` and whose predicted
 * class is `classes[j]` (rows: truth, columns: prediction), so each row sums to the number of
 * test samples of that class and the diagonal holds the correct predictions.
 */
const confusionSchema = z
  .strictObject({
    classes: z.array(z.string().min(1)).min(1),
    matrix: z.array(z.array(z.int().min(0))),
  })
  .superRefine((value, ctx) => {
    const n = value.classes.length;
    if (new Set(value.classes).size !== n)
      ctx.addIssue({ code: 'custom', message: 'class names must be distinct', path: ['classes'] });
    if (value.matrix.length !== n)
      ctx.addIssue({
        code: 'custom',
        message: `expected ${n} rows (one per class), got ${value.matrix.length}`,
        path: ['matrix'],
      });
    value.matrix.forEach((row, i) => {
      if (row.length !== n)
        ctx.addIssue({ code: 'custom', message: `expected ${n} columns, got ${row.length}`, path: ['matrix', i] });
    });
  });

export type Confusion = z.infer<typeof confusionSchema>;

export function readConfusion(path: string): Confusion {
  const parsed = confusionSchema.safeParse(readJsonFile(path, 'confusion matrix'));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.length ? ` ${z.core.toDotPath(issue.path)}` : '';
      return `✖ confusion matrix: ${issue.message} → at ${path}${field}`;
    });
    throw new UserError(lines.join('\n'));
  }
  return parsed.data;
}

/** Per class: how many test samples it has and the share of them predicted right (recall). */
export function classRecall(confusion: Confusion): Array<{ name: string; count: number; recall: number | null }> {
  return confusion.classes.map((name, i) => {
    const count = confusion.matrix[i].reduce((a, b) => a + b, 0);
    return { name, count, recall: count > 0 ? confusion.matrix[i][i] / count : null };
  });
}
