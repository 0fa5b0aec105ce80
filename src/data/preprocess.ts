/**
 * Per-feature preprocessing (`data.normalize`): fitted on the training split only, described by a
 * plain JSON object, and applied by one function, applyPreprocessing. Training applies it to both
 * splits; evaluate and predict apply the stored description to new rows and get the same float32
 * inputs bit for bit, because the arithmetic is this one function on the same float64 values.
 *
 *   none        x
 *   a divisor   x / divisor                       (idx `true` is 255: the 0–255 pixel bytes)
 *   minmax      (x − min) / (max − min)           per feature; a constant feature gives x − min
 *   standardize (x − mean) / std                  per feature, population std (÷ n, as
 *                                                 scikit-learn's StandardScaler); std 0 gives x − mean
 *
 * Each result is computed in float64 and rounded once to float32. Rows outside the training
 * range are not clipped (minmax can give values below 0 or above 1 on test rows).
 */
import { UserError } from '../errors.ts';

/** What `data.normalize` asks for. */
export type Normalize = 'none' | 'minmax' | 'standardize' | number;

/** What was applied, with the statistics of the training split. Plain JSON. */
export type Preprocessing =
  | { kind: 'none' }
  | { kind: 'divide'; divisor: number }
  | { kind: 'minmax'; min: number[]; max: number[] }
  | { kind: 'standardize'; mean: number[]; std: number[] };

/** Fits `normalize` on training rows (count × features, row-major, as read from the file). */
export function fitPreprocessing(normalize: Normalize, rows: ArrayLike<number>, features: number): Preprocessing {
  if (normalize === 'none') return { kind: 'none' };
  if (typeof normalize === 'number') return { kind: 'divide', divisor: normalize };
  const count = rows.length / features;
  if (normalize === 'minmax') {
    const min = new Array<number>(features).fill(Infinity);
    const max = new Array<number>(features).fill(-Infinity);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < features; j++) {
        const x = rows[i * features + j];
        if (x < min[j]) min[j] = x;
        if (x > max[j]) max[j] = x;
      }
    }
    return { kind: 'minmax', min, max };
  }
  const mean = new Array<number>(features).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < features; j++) mean[j] += rows[i * features + j];
  for (let j = 0; j < features; j++) mean[j] /= count;
  // Two passes (the mean first): no cancellation on features far from 0.
  const sumSquares = new Array<number>(features).fill(0);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < features; j++) sumSquares[j] += (rows[i * features + j] - mean[j]) ** 2;
  }
  return { kind: 'standardize', mean, std: sumSquares.map((s) => Math.sqrt(s / count)) };
}

/**
 * Applies a preprocessing to rows (row-major: for minmax and standardize, a multiple of the
 * features it was fitted on) and returns them as float32.
 */
export function applyPreprocessing(spec: Preprocessing, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length);
  switch (spec.kind) {
    case 'none':
      out.set(rows);
      return out;
    case 'divide':
      for (let i = 0; i < rows.length; i++) out[i] = rows[i] / spec.divisor;
      return out;
    case 'minmax':
      return perFeature(
        rows,
        spec.min,
        spec.min.map((min, j) => spec.max[j] - min || 1),
        out,
      );
    case 'standardize':
      return perFeature(
        rows,
        spec.mean,
        spec.std.map((std) => std || 1),
        out,
      );
  }
}

/** out = (x − offset[j]) / scale[j], feature by feature. */
function perFeature(rows: ArrayLike<number>, offset: number[], scale: number[], out: Float32Array): Float32Array {
  const features = offset.length;
  if (rows.length % features !== 0) {
    throw new UserError(`${rows.length} values are not whole rows of the ${features} features preprocessed`);
  }
  for (let i = 0; i < rows.length; i += features) {
    for (let j = 0; j < features; j++) out[i + j] = (rows[i + j] - offset[j]) / scale[j];
  }
  return out;
}
