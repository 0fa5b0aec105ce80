/**
 * Classification metrics from outputs: the predicted class (arg-max, ties to the lower index, as
 * training counts its accuracy), softmax probabilities, the confusion matrix and per-class
 * precision, recall and F1.
 */

/** confusion.json: `matrix[i][j]` counts rows of true class `classes[i]` predicted as `classes[j]`. */
export interface Confusion {
  classes: string[];
  matrix: number[][];
}

export interface ClassMetrics {
  class: string;
  /** Rows of this class in the data. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
  /** Of the rows predicted as this class, the share that are (null: none predicted). */
  precision: number | null;
  /** Of the rows of this class, the share predicted right (null: none in the data). */
  recall: number | null;
  /** 2·TP / (2·TP + FP + FN), the harmonic mean of the two (null: the class is neither in the data nor predicted). */
  f1: number | null;
}

/** The class of each of `rows` output rows: the index of the largest output, the first on a tie. */
export function argmaxInto(output: ArrayLike<number>, rows: number, width: number, out: Int32Array, at = 0): void {
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (output[i * width + j] > output[i * width + best]) best = j;
    out[at + i] = best;
  }
}

/** softmax of each output row, computed in float64 (the largest logit subtracted first), stored as float32. */
export function softmaxInto(output: ArrayLike<number>, rows: number, width: number, out: Float32Array, at = 0): void {
  const exps = new Float64Array(width);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, output[i * width + j]);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += exps[j] = Math.exp(output[i * width + j] - max);
    for (let j = 0; j < width; j++) out[at + i * width + j] = exps[j] / sum;
  }
}

export function emptyConfusion(classes: readonly string[]): Confusion {
  return { classes: [...classes], matrix: classes.map(() => classes.map(() => 0)) };
}

/** Adds rows with true classes `truth` and predicted classes `predicted` to the matrix. */
export function countInto(confusion: Confusion, truth: ArrayLike<number>, predicted: ArrayLike<number>, rows: number) {
  for (let i = 0; i < rows; i++) confusion.matrix[truth[i]][predicted[i]]++;
}

export function classMetrics(confusion: Confusion): ClassMetrics[] {
  const { classes, matrix } = confusion;
  return classes.map((name, c) => {
    const tp = matrix[c][c];
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((sum, row) => sum + row[c], 0);
    const [fn, fp] = [support - tp, predicted - tp];
    return {
      class: name,
      support,
      predicted,
      precision: predicted > 0 ? tp / predicted : null,
      recall: support > 0 ? tp / support : null,
      f1: support + predicted > 0 ? (2 * tp) / (2 * tp + fp + fn) : null,
    };
  });
}

/**
 * Unweighted means over the classes that occur in the data or the predictions, an undefined value
 * (null) counted as 0: scikit-learn's `average="macro"` with `zero_division=0`.
 */
export function macroAverage(perClass: readonly ClassMetrics[]): { precision: number; recall: number; f1: number } {
  const present = perClass.filter((c) => c.support + c.predicted > 0);
  const mean = (pick: (c: ClassMetrics) => number | null) =>
    present.length === 0 ? 0 : present.reduce((sum, c) => sum + (pick(c) ?? 0), 0) / present.length;
  return { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) };
}

/** The names in confusion.json and in tables: the model's class names, else "0", "1", … */
export function classLabels(names: readonly string[] | null, count: number): string[] {
  return names ? [...names] : Array.from({ length: count }, (_, i) => String(i));
}
