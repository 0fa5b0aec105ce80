/**
 * Choosing rows: copying a set of rows out of a labelled table into a Split, and the seeded
 * train/test split every source shares (one permutation from STREAM.split: the first `train`
 * indices go to train, the next `test` to test, so the two never overlap).
 */
import { UserError } from '../errors.ts';
import { createRng, permutation, STREAM } from '../random.ts';
import type { Split } from './types.ts';

/** A labelled table: `inputs` is count × features, row-major; `labels` one per row. */
export interface Table {
  inputs: ArrayLike<number>;
  labels: ArrayLike<number>;
  count: number;
  features: number;
  /** Divides every input as it is copied (e.g. 255). */
  divisor?: number;
}

/** Copies the rows `rows` (in that order) into a new Split. */
export function takeRows(table: Table, rows: ArrayLike<number>): Split {
  const { features, divisor = 1 } = table;
  const count = rows.length;
  const inputs = new Float32Array(count * features);
  const targets = new Float32Array(count);
  const source = table.inputs;
  for (let r = 0; r < count; r++) {
    const from = rows[r] * features;
    if (divisor === 1 && source instanceof Float32Array)
      inputs.set(source.subarray(from, from + features), r * features);
    else for (let j = 0; j < features; j++) inputs[r * features + j] = source[from + j] / divisor;
    targets[r] = table.labels[rows[r]];
  }
  return { inputs, targets, count };
}

/** The first `count` rows (default all), in file order. */
export function allRows(table: Table, count = table.count): Split {
  return takeRows(
    table,
    Uint32Array.from({ length: count }, (_, i) => i),
  );
}

/** A seeded, disjoint split: `train` rows then `test` rows of one permutation (test 0 gives null). */
export function seededSplit(
  table: Table,
  train: number,
  test: number,
  seed: number,
): { train: Split; test: Split | null } {
  if (train + test > table.count) throw new Error(`split of ${train}+${test} rows from ${table.count}`);
  const order = permutation(table.count, createRng(seed, STREAM.split));
  return {
    train: takeRows(table, order.subarray(0, train)),
    test: test === 0 ? null : takeRows(table, order.subarray(train, train + test)),
  };
}

/** Test rows for a fraction of `count` (rounded); throws if that leaves either side empty. */
export function testRowsFor(fraction: number, count: number, what: string): number {
  const test = Math.round(count * fraction);
  if (fraction > 0 && (test === 0 || test === count)) {
    throw new UserError(
      `testFraction ${fraction} of ${count} rows in ${what} leaves ${test === 0 ? 'no test' : 'no training'} rows`,
    );
  }
  return test;
}
