/**
 * The `data.validation` key: where the validation split comes from. A number 0 < f < 1 holds out a
 * seeded share of the training split (split.ts holdOutValidation); an object names a file of its
 * own, with the keys the source uses for its training file (csv: `{ "path" }`, idx:
 * `{ "images", "labels" }`), read and preprocessed like the training file, which then stays whole.
 *
 * The form is picked by the value's type before it is checked, so that an error speaks of the form
 * the user wrote (`✖ file not found: v.csv → at data.validation.path`), not of both ("Invalid input").
 */
import { z } from 'zod';

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A share of the training split; `alternative` says what else the key takes, for the message. */
const fractionOf = (alternative: string) =>
  z
    .number({ error: `use a share 0 < f < 1 of the training split${alternative}` })
    .gt(0)
    .lt(1);

/** data.validation of a source without files (mnist, synthetic): a share of the training split only. */
export const validationFraction = fractionOf(' (a validation file needs source "csv" or "idx")');

/** data.validation of a file source: a share of the training split, or the file(s) `file` describes. */
export function validationFractionOrFile<File extends z.ZodType>(
  file: File,
  example: string,
): z.ZodType<number | z.output<File>, number | z.input<File>> {
  const fraction = fractionOf(`, or a file: ${example}`);
  const either = z.unknown().transform((value, ctx) => {
    const parsed = (isObject(value) ? file : fraction).safeParse(value);
    if (parsed.success) return parsed.data as number | z.output<File>;
    // The issues keep their paths, below data.validation.
    for (const { message, path } of parsed.error.issues) ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  });
  return either as unknown as z.ZodType<number | z.output<File>, number | z.input<File>>;
}
