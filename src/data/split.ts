/**
 * Choosing rows: the seeded train/test split every source shares (one permutation from
 * STREAM.split: the first `train` indices go to train, the next `test` to test, so the two never
 * overlap), and copying chosen rows out of a table.
 */
import { UserError } from '../errors.ts';
import { createRng, permutation, STREAM } from '../random.ts';

/** Rows as read: `inputs` is count × features, row-major, in the source's own number type. */
export interface RawRows {
  inputs: Float64Array | Float32Array | Uint8Array;
  /** count × labelWidth: class indices (width 1), or a regressor's targets. */
  labels: Float64Array;
  count: number;
  /** Label values per row (default 1). */
  labelWidth?: number;
}

/** The order the seeded split takes rows in: train = order[0, train), test = order[train, train + test). */
export function seededOrder(count: number, seed: number): Uint32Array {
  return permutation(count, createRng(seed, STREAM.split));
}

/** Copies rows `rows` (in that order) of a table of `features` features. */
export function selectRows(table: RawRows, features: number, rows: ArrayLike<number>): RawRows {
  const count = rows.length;
  const width = table.labelWidth ?? 1;
  const inputs = new (table.inputs.constructor as new (length: number) => RawRows['inputs'])(count * features);
  const labels = new Float64Array(count * width);
  for (let r = 0; r < count; r++) {
    const from = rows[r] * features;
    inputs.set(table.inputs.subarray(from, from + features), r * features);
    labels.set(table.labels.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  }
  return { inputs, labels, count, labelWidth: width };
}

/** The seeded split of a whole table: `train` rows, then `test` rows (test 0 gives null). */
export function seededSplit(
  table: RawRows,
  features: number,
  train: number,
  test: number,
  seed: number,
): { train: RawRows; test: RawRows | null } {
  if (train + test > table.count) throw new Error(`split of ${train}+${test} rows from ${table.count}`);
  const order = seededOrder(table.count, seed);
  return {
    train: selectRows(table, features, order.subarray(0, train)),
    test: test === 0 ? null : selectRows(table, features, order.subarray(train, train + test)),
  };
}

/** Test rows for a fraction of `count` (rounded); throws if that leaves either side empty. */
export function testRowsFor(fraction: number, count: number, what: string): number {
  const test = Math.round(count * fraction);
  if (fraction > 0 && (test === 0 || test === count)) {
    const left = test === 0 ? 'no test' : 'no training';
    throw new UserError(`testFraction ${fraction} of ${count} rows in ${what} leaves ${left} rows`);
  }
  return test;
}
