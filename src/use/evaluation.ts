/**
 * An evaluation built block by block (rows of a file arrive in blocks): the loss as training
 * reports it (block loss sums added in order, divided by the rows), the accuracy, the confusion
 * matrix and the per-class precision, recall and F1.
 */
import { UserError } from '../errors.ts';
import {
  argmaxInto,
  classMetrics,
  countInto,
  emptyConfusion,
  macroAverage,
  type ClassMetrics,
  type Confusion,
} from './metrics.ts';

export interface Evaluation {
  task: 'classification';
  /** Rows evaluated. */
  count: number;
  /** Mean loss per row (the model's loss: softmax cross-entropy, or ½‖y − t‖² for mse). */
  loss: number;
  /** Rows whose predicted class is their label. */
  correct: number;
  accuracy: number;
  confusion: Confusion;
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
}

export class EvaluationAccumulator {
  private count = 0;
  private lossSum = 0;
  private readonly confusion: Confusion;
  private predicted = new Int32Array(0);

  constructor(classes: readonly string[]) {
    this.confusion = emptyConfusion(classes);
  }

  /** Adds `rows` rows: their outputs (rows × classes), class-index targets, and the block's loss sum. */
  add(output: ArrayLike<number>, targets: ArrayLike<number>, rows: number, lossSum: number): void {
    if (this.predicted.length < rows) this.predicted = new Int32Array(rows);
    argmaxInto(output, rows, this.confusion.classes.length, this.predicted);
    countInto(this.confusion, targets, this.predicted, rows);
    this.lossSum += lossSum;
    this.count += rows;
  }

  result(): Evaluation {
    if (this.count === 0) throw new UserError('✖ nothing to evaluate: the data has no rows');
    const correct = this.confusion.matrix.reduce((sum, row, i) => sum + row[i], 0);
    const perClass = classMetrics(this.confusion);
    return {
      task: 'classification',
      count: this.count,
      loss: this.lossSum / this.count,
      correct,
      accuracy: correct / this.count,
      confusion: { classes: [...this.confusion.classes], matrix: this.confusion.matrix.map((row) => [...row]) },
      perClass,
      macro: macroAverage(perClass),
    };
  }
}

/**
 * Class indices for labels given as indices or as class names; anything else is a UserError
 * naming the row (`where(i)`, e.g. `labels[3]` or `data.csv:5`).
 */
export function classIndices(
  labels: ArrayLike<number | string>,
  start: number,
  rows: number,
  classes: readonly string[],
  named: boolean,
  where: (row: number) => string,
  out: Float32Array,
): void {
  for (let i = 0; i < rows; i++) {
    const label = labels[start + i];
    let index = typeof label === 'number' ? label : Number.NaN;
    if (typeof label === 'string') {
      const text = label.trim();
      index = named ? classes.indexOf(text) : text === '' ? Number.NaN : Number(text);
    }
    if (!Number.isInteger(index) || index < 0 || index >= classes.length) {
      const range = named ? `one of ${classes.join(', ')}` : `a class index from 0 to ${classes.length - 1}`;
      throw new UserError(`✖ label ${JSON.stringify(label)} is not ${range} → at ${where(start + i)}`);
    }
    out[i] = index;
  }
}
