/**
 * New rows get exactly what training gave its rows: the stored preprocessing (model.json, with the
 * training split's statistics) applied by the data loaders' own function to the raw values as read
 * from the file (float64), rounded once to float32, so the first layer sees the same bits.
 */
import { applyPreprocessing, type Preprocessing } from '../data/preprocess.ts';
import type { StoredPreprocessing } from './model-json.ts';

/** Writes the preprocessed float32 inputs of `raw` (row-major) into `out[0 .. raw.length)`. */
export function preprocessInto(spec: StoredPreprocessing, raw: ArrayLike<number>, out: Float32Array): void {
  if (!spec || spec.kind === 'none') {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i];
    return;
  }
  out.set(applyPreprocessing(spec as Preprocessing, raw));
}

/** A short description for messages: `÷ 255`, `standardize`, `none`. */
export function describePreprocessing(spec: StoredPreprocessing): string {
  if (!spec || spec.kind === 'none') return 'none';
  return spec.kind === 'divide' ? `÷ ${spec.divisor}` : spec.kind;
}
