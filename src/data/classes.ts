/**
 * How many classes the labels stand for. Stated (`data.classes`): every label must be below it,
 * and one that is not is an error naming its file and row. Inferred: the largest label + 1, as
 * always; but when some classes below it never occur (one corrupt label, 200 in a file of digits,
 * makes 201 classes of which 190 are empty), the count comes with the file and row of that
 * largest label, so the error or warning a user sees points at the row to fix.
 */
import { UserError } from '../errors.ts';
import type { Locate } from './validate.ts';

/** One file's labels (all of them, not only the rows a split uses). */
export interface LabelFile {
  file: string;
  labels: ArrayLike<number>;
  locate: Locate;
}

export interface Classes {
  classes: number;
  /** Where the count comes from, for messages: "data.classes", or the largest label and its row. */
  from: string;
  /** Set when inferred classes never occur: names the largest label's row and what to change. */
  warning: string | null;
}

/** Classes of checked labels (integers ≥ 0, as validate.checkRows ensures). */
export function resolveClasses(files: LabelFile[], stated: number | undefined): Classes {
  if (stated !== undefined) {
    for (const { file, labels, locate } of files) {
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] >= stated) {
          throw new UserError(
            `${file} ${locate(i)}: label ${labels[i]} is out of range: data.classes is ${stated}, ` +
              `so labels run from 0 to ${stated - 1}\n  → at data.classes`,
          );
        }
      }
    }
    return { classes: stated, from: 'data.classes', warning: null };
  }
  const largest = largestLabel(files);
  const classes = largest.label + 1;
  const seen = new Uint8Array(classes);
  for (const { labels } of files) for (let i = 0; i < labels.length; i++) seen[labels[i]] = 1;
  const missing = classes - seen.reduce((sum, s) => sum + s, 0);
  const where = `${largest.file} ${largest.locate(largest.row)}`;
  if (missing === 0) return { classes, from: `labels 0 to ${largest.label}`, warning: null };
  const rows = largest.count === 1 ? 'its only row' : `and ${largest.count - 1} more rows`;
  const from =
    `the largest label, ${largest.label}, at ${where} (${rows}); ` +
    `${missing} of the ${classes} labels 0 to ${largest.label} never occur`;
  const warning =
    `${classes} classes inferred from ${from}. If that label is wrong, fix it, or state data.classes ` +
    '(then a label at or above it is an error naming its row)';
  return { classes, from, warning };
}

interface Largest {
  label: number;
  file: string;
  locate: Locate;
  /** The first row holding it. */
  row: number;
  /** How many rows hold it, over all files. */
  count: number;
}

function largestLabel(files: LabelFile[]): Largest {
  let largest: Largest = { label: -1, file: '', locate: () => '', row: -1, count: 0 };
  for (const { file, labels, locate } of files) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] > largest.label) largest = { label: labels[i], file, locate, row: i, count: 1 };
      else if (labels[i] === largest.label) largest.count++;
    }
  }
  return largest;
}
