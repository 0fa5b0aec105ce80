/**
 * Rows handed to the typed API: an array of rows (`[[5.1, 3.5, 1.4, 0.2], …]`) or one flat
 * row-major array of count × features values (a Float32Array, a Float64Array or numbers). Raw:
 * the model's preprocessing is applied to them. Checked as they are used: a row of the wrong length
 * or a value that is not a finite number is a UserError naming the row and the feature.
 */
import { UserError } from '../errors.ts';

export type Rows = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/** Rows as blocks of raw values: `block(start, count)` is count × features values, row-major. */
export interface RowSource {
  readonly count: number;
  block(start: number, count: number): ArrayLike<number>;
}

export function rowSource(rows: Rows, features: number): RowSource {
  if (rows.length === 0) return { count: 0, block: () => [] };
  return typeof rows[0] === 'number'
    ? flatSource(rows as ArrayLike<number>, features)
    : nestedSource(rows as ArrayLike<ArrayLike<number>>, features);
}

function flatSource(values: ArrayLike<number>, features: number): RowSource {
  if (values.length % features !== 0) {
    throw new UserError(
      `✖ ${values.length} values are not whole rows of ${features} features ` +
        `(a flat array holds count × ${features} values, row-major) → at rows`,
    );
  }
  const sliceable = values as ArrayLike<number> & { subarray?: (a: number, b: number) => ArrayLike<number> };
  return {
    count: values.length / features,
    block(start, count) {
      const [from, to] = [start * features, (start + count) * features];
      const block = sliceable.subarray ? sliceable.subarray(from, to) : Array.prototype.slice.call(values, from, to);
      checkFinite(block, (i) => `rows[${from + i}] (row ${start + Math.floor(i / features)})`);
      return block;
    },
  };
}

function nestedSource(rows: ArrayLike<ArrayLike<number>>, features: number): RowSource {
  let scratch = new Float64Array(0);
  return {
    count: rows.length,
    block(start, count) {
      if (scratch.length < count * features) scratch = new Float64Array(count * features);
      for (let r = 0; r < count; r++) {
        const row = rows[start + r];
        if (row === null || typeof row !== 'object' || row.length !== features) {
          const got = row !== null && typeof row === 'object' ? `${row.length} values` : JSON.stringify(row);
          throw new UserError(
            `✖ row ${start + r} has ${got}; the model takes ${features} features → at rows[${start + r}]`,
          );
        }
        for (let j = 0; j < features; j++) scratch[r * features + j] = row[j];
      }
      const block = scratch.subarray(0, count * features);
      checkFinite(block, (i) => `rows[${start + Math.floor(i / features)}][${i % features}]`);
      return block;
    },
  };
}

function checkFinite(values: ArrayLike<number>, where: (i: number) => string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const shown = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
      throw new UserError(`✖ ${shown} is not a finite number → at ${where(i)}`);
    }
  }
}
