/**
 * New rows get exactly what training gave its rows: each raw value (as read from the file, in
 * float64) goes through the stored preprocessing and is rounded once to float32, the arithmetic of
 * the data loaders, so the first layer sees the same bits.
 */
import { UserError } from '../errors.ts';
import type { StoredPreprocessing } from './model-json.ts';

/** Writes the preprocessed float32 inputs of `raw` (row-major) into `out[0 .. raw.length)`. */
export function preprocessInto(spec: StoredPreprocessing, raw: ArrayLike<number>, out: Float32Array): void {
  const kind = spec?.kind ?? 'none';
  if (kind === 'none') {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i];
  } else if (spec?.kind === 'divide') {
    const divisor = spec.divisor;
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] / divisor;
  } else {
    // Per-feature statistics (minmax, standardize) come with src/data/preprocess.ts applyPreprocessing.
    throw new UserError(
      `✖ this shardprop cannot apply the model's preprocessing "${kind}" → at model.json preprocessing`,
    );
  }
}

/** A short description for messages: `÷ 255`, `none`. */
export function describePreprocessing(spec: StoredPreprocessing): string {
  if (!spec || spec.kind === 'none') return 'none';
  return spec.kind === 'divide' ? `÷ ${spec.divisor}` : spec.kind;
}
