/**
 * Choosing rows: the seeded train/test split every source shares (one permutation from
 * STREAM.split: the first `train` indices go to train, the next `test` to test, so the two never
 * overlap), and copying chosen rows out of a table.
 */
import { UserError } from '../errors.ts';
import { isByteInputs } from './inputs.ts';
import { createRng, permutation, STREAM } from '../random.ts';
import type { Split } from './types.ts';

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

/**
 * Holds out a seeded share of the training split as the validation split (data.validation): a
 * permutation of its own stream (split, 1), the first round(count · fraction) rows for validation,
 * the rest, in their original order, for training. Only training rows are ever taken, so the
 * validation split never overlaps the test split. Throws when either side would be empty.
 */
export function holdOutValidation(
  train: Split,
  features: number,
  fraction: number,
  seed: number,
  targetWidth = 1,
): { train: Split; validation: Split } {
  const held = Math.round(train.count * fraction);
  if (held === 0 || held === train.count) {
    const left = held === 0 ? 'no validation' : 'no training';
    throw new UserError(
      `data.validation ${fraction} of ${train.count} training rows leaves ${left} rows\n  → at data.validation`,
    );
  }
  const order = permutation(train.count, createRng(seed, STREAM.split, 1));
  const validationRows = order.subarray(0, held);
  const isValidation = new Uint8Array(train.count);
  for (const row of validationRows) isValidation[row] = 1;
  const trainingRows = Uint32Array.from({ length: train.count }, (_, i) => i).filter((i) => !isValidation[i]);
  return {
    train: pickRows(train, features, targetWidth, trainingRows),
    validation: pickRows(train, features, targetWidth, validationRows),
  };
}

/**
 * Rows `rows` of a split, copied; a row has `features` inputs and `targetWidth` targets (a
 * regressor's several). Inputs stored as bytes stay bytes (with the same table of values).
 */
function pickRows(split: Split, features: number, targetWidth: number, rows: Uint32Array): Split {
  const from = isByteInputs(split.inputs) ? split.inputs.bytes : split.inputs;
  const picked = new (from.constructor as new (length: number) => Float32Array | Uint8Array)(rows.length * features);
  const targets = new Float32Array(rows.length * targetWidth);
  rows.forEach((row, r) => {
    picked.set(from.subarray(row * features, (row + 1) * features), r * features);
    targets.set(split.targets.subarray(row * targetWidth, (row + 1) * targetWidth), r * targetWidth);
  });
  const inputs = isByteInputs(split.inputs)
    ? { bytes: picked as Uint8Array, values: split.inputs.values }
    : (picked as Float32Array);
  return { inputs, targets, count: rows.length };
}
