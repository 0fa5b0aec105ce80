/**
 * A regressor's evaluation, built block by block like a classifier's (evaluation.ts): the loss as
 * training reports it, and mse, mae and R² (src/train/regression-metrics.ts defines them: per
 * target value; R² pooled over the targets, 1 − ΣSS_res / ΣSS_tot), overall and per target. The
 * overall numbers use training's arithmetic in training's order — block loss sums and absolute
 * error sums added in block order, SS_tot in two passes over the float32 targets — so on the run's
 * own test split, in training's evaluation chunks, they equal the last epoch's testMse, testMae
 * and testR2 to the bit.
 */
import { UserError } from '../errors.ts';
import { absoluteErrorSum, r2Of, regressionMetrics, totalSumOfSquares } from '../train/regression-metrics.ts';

export interface TargetMetrics {
  target: string;
  mse: number;
  mae: number;
  /** This target's own R²: 1 − SS_res / SS_tot of its column. */
  r2: number;
}

export interface RegressionEvaluation {
  task: 'regression';
  count: number;
  /** Mean loss per row: ½‖y − t‖² (the mse loss as training reports it). */
  loss: number;
  mse: number;
  mae: number;
  /** Pooled over the targets (scikit-learn's multioutput="variance_weighted"); the usual R² for one target. */
  r2: number;
  perTarget: TargetMetrics[];
}

export class RegressionAccumulator {
  private count = 0;
  private lossSum = 0;
  private absoluteSum = 0;
  private readonly residual: Float64Array;
  private readonly absolute: Float64Array;
  /** Every target seen (as float32, what the loss saw), for SS_tot around the data's own means. */
  private targets = new Float32Array(1024);

  constructor(private readonly names: readonly string[]) {
    this.residual = new Float64Array(names.length);
    this.absolute = new Float64Array(names.length);
  }

  /** Adds `rows` rows: outputs and targets (rows × targets), and the block's loss sum. */
  add(output: ArrayLike<number>, targets: ArrayLike<number>, rows: number, lossSum: number): void {
    const width = this.names.length;
    this.lossSum += lossSum;
    this.absoluteSum += absoluteErrorSum(output, targets, rows * width);
    for (let i = 0; i < rows * width; i++) {
      const error = output[i] - targets[i];
      this.residual[i % width] += error * error;
      this.absolute[i % width] += Math.abs(error);
    }
    const needed = (this.count + rows) * width;
    if (needed > this.targets.length) {
      const grown = new Float32Array(Math.max(needed, this.targets.length * 2));
      grown.set(this.targets.subarray(0, this.count * width));
      this.targets = grown;
    }
    for (let i = 0; i < rows * width; i++) this.targets[this.count * width + i] = targets[i];
    this.count += rows;
  }

  result(): RegressionEvaluation {
    if (this.count === 0) throw new UserError('✖ nothing to evaluate: the data has no rows');
    const { count, names } = this;
    const width = names.length;
    const targets = this.targets.subarray(0, count * width);
    const overall = regressionMetrics(
      { lossSum: this.lossSum, absoluteErrorSum: this.absoluteSum, count },
      width,
      totalSumOfSquares(targets, count, width),
    );
    const perTarget = names.map((target, j) => {
      const column = Float64Array.from({ length: count }, (_, i) => targets[i * width + j]);
      return {
        target,
        mse: this.residual[j] / count,
        mae: this.absolute[j] / count,
        r2: r2Of(this.residual[j], totalSumOfSquares(column, count, 1)),
      };
    });
    return { task: 'regression', count, loss: this.lossSum / count, ...overall, perTarget };
  }
}

/** The names of a regressor's outputs: model.json's targets, else `output` / `output_0`, `output_1`, … */
export function targetLabels(names: readonly string[] | null | undefined, width: number): string[] {
  if (names) return [...names];
  return Array.from({ length: width }, (_, j) => (width === 1 ? 'output' : `output_${j}`));
}

/**
 * Regression targets as one flat row-major array: given flat (rows × width numbers) or as one
 * array per row; anything else is a UserError naming the entry.
 */
export function flatTargets(targets: ArrayLike<number> | ArrayLike<ArrayLike<number>>, rows: number, width: number) {
  const nested = targets.length > 0 && typeof targets[0] !== 'number';
  const values = nested ? rows * width : targets.length;
  if (nested ? targets.length !== rows : values !== rows * width) {
    throw new UserError(`✖ ${targets.length} targets for ${rows} rows of ${width} outputs → at targets`);
  }
  const out = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) {
      const row = nested ? (targets as ArrayLike<ArrayLike<number>>)[i] : null;
      if (row && row.length !== width) throw new UserError(`✖ ${row.length} values, not ${width} → at targets[${i}]`);
      const value = row ? row[j] : (targets as ArrayLike<number>)[i * width + j];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new UserError(
          `✖ ${JSON.stringify(value)} is not a finite number → at targets[${nested ? `${i}][${j}` : i * width + j}]`,
        );
      }
      out[i * width + j] = value;
    }
  }
  return out;
}
