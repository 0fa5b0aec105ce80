/**
 * CSV class labels as written: class indices (`0`, `2`) or class names (`setosa`). Each distinct
 * label text of a file is interned while it streams in (the rows hold small ids), and resolved
 * once the file is read:
 *
 * - every label of the training file is a number: the labels are class indices, as always;
 * - any label of it is not a number: every label is a class NAME, and the classes are the
 *   distinct names of the training file (`data.path`, all its rows, before a testFraction split)
 *   SORTED by Unicode code units (JavaScript's default sort; for ASCII names the order of
 *   Python's sorted() and scikit-learn's LabelEncoder): class i is the i-th name. The order
 *   does not depend on the order of the rows. The names are stored in model.json (`classes`).
 *
 * A test file's labels must be classes of the training file: an unseen name is an error naming
 * the file, the line and the label.
 */
import { UserError } from '../errors.ts';
import { MAX_CLASSES, type Locate } from './validate.ts';

/** Interns the label texts of one file. */
export class LabelTexts {
  /** Distinct texts, in order of first appearance: ids index this. */
  readonly texts: string[] = [];
  /** The row (0-based) where each text first appears, for messages. */
  readonly firstRows: number[] = [];
  private readonly ids = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly locate: Locate,
  ) {}

  /** The id of row `row`'s label cell (surrounding spaces and one pair of double quotes dropped). */
  id(cell: string, row: number): number {
    const text = cell.trim().replace(/^"(.*)"$/, '$1');
    let id = this.ids.get(text);
    if (id !== undefined) return id;
    if (text === '') throw new UserError(`${this.file} ${this.locate(row)}: the label is empty`);
    if (this.texts.length === MAX_CLASSES) {
      throw new UserError(
        `${this.file} ${this.locate(row)}: more than ${MAX_CLASSES} distinct labels: is the label column ` +
          'the right one? (a regression target goes in data.targetColumns)',
      );
    }
    id = this.texts.length;
    this.ids.set(text, id);
    this.texts.push(text);
    this.firstRows.push(row);
    return id;
  }
}

/**
 * The class names (null when the labels are class indices), and a warning when names and numbers
 * are mixed: one stray text ("NaN", "1o") in a column of class indices turns every label into a name.
 */
export function classNamesOf(train: LabelTexts): { names: string[] | null; warning: string | null } {
  const text = train.texts.findIndex((t) => !isNumber(t));
  if (text < 0) return { names: null, warning: null };
  const numbers = train.texts.filter(isNumber);
  const warning =
    numbers.length === 0
      ? null
      : `${train.file}: the labels are class names because of "${train.texts[text]}" at ` +
        `${train.locate(train.firstRows[text])}, so ${numbers
          .slice(0, 5)
          .map((n) => `"${n}"`)
          .join(', ')}${numbers.length > 5 ? ', …' : ''} ` +
        'are names too; if the column holds class indices, fix that label';
  return { names: [...train.texts].sort(), warning };
}

/**
 * Rewrites `labels` (ids of `texts`, in place) as class indices: the numbers written (names
 * null), or the index of each name among `names`. A name not among them is an error naming the
 * file, the line and the label.
 */
export function resolveLabels(
  labels: Float64Array,
  texts: LabelTexts,
  names: readonly string[] | null,
  trainFile: string,
): void {
  const where = (id: number) => `${texts.file} ${texts.locate(texts.firstRows[id])}`;
  const index = texts.texts.map((text, id) => {
    if (names === null) {
      if (isNumber(text)) return Number(text);
      throw new UserError(
        `${where(id)}: label "${text}" is not a class index, and the labels of ${trainFile} are class indices`,
      );
    }
    const i = names.indexOf(text);
    if (i < 0) {
      const some = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, …`;
      throw new UserError(
        `${where(id)}: label "${text}" is not a class of the training file ${trainFile} ` +
          `(its ${names.length} classes: ${some})`,
      );
    }
    return i;
  });
  for (let r = 0; r < labels.length; r++) labels[r] = index[labels[r]];
}

function isNumber(text: string): boolean {
  return text !== '' && !Number.isNaN(Number(text));
}
