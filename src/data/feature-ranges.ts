/**
 * Warnings about input scales that train badly, for data scaled by one number or not at all:
 * features spanning very different ranges (the wine data: 0.13 to 1,680; gradient descent follows
 * the big features and ignores the small ones), or inputs far from 1 (raw 0–255 pixels). Per-
 * feature normalization (minmax, standardize) answers both, so then there is nothing to say.
 */
import { featureExtremes, inputLength } from './inputs.ts';
import type { Preprocessing } from './preprocess.ts';
import type { Inputs } from './types.ts';

/** The largest feature this many times a small one: "very different ranges". */
export const RANGE_RATIO = 100;
/** The small one: this quantile of the features by size (the smallest, with under 10 features). */
const SMALL_QUANTILE = 0.1;
/** Inputs this large (in absolute value) are far from 1. */
export const LARGE_INPUT = 100;

const fmt = (x: number): string => String(Number(x.toPrecision(3)));

/**
 * Looks at the training inputs as preprocessed (count × features) and returns warning lines;
 * `name(j)` names feature j ("column 14 (proline)").
 */
export function featureRangeWarnings(
  inputs: Inputs,
  features: number,
  spec: Preprocessing,
  name: (feature: number) => string,
): string[] {
  if (spec.kind === 'minmax' || spec.kind === 'standardize' || inputLength(inputs) === 0) return [];
  const { min, max } = featureExtremes(inputs, features);
  const magnitude = Array.from(min, (low, j) => Math.max(Math.abs(low), Math.abs(max[j])));
  let largest = 0;
  for (let j = 1; j < features; j++) if (magnitude[j] > magnitude[largest]) largest = j;
  // The small end: a low quantile of the features that are not all zeros, so that one rarely
  // used feature (an image's corner pixel) does not count as a range of its own.
  const nonZero = magnitude.filter((m) => m > 0).sort((a, b) => a - b);
  if (nonZero.length === 0) return [];
  const small = magnitude.indexOf(nonZero[Math.floor(nonZero.length * SMALL_QUANTILE)]);
  const applied = spec.kind === 'none' ? 'with data.normalize "none"' : `divided by data.normalize ${spec.divisor}`;
  const range = (j: number): string => `${name(j)} spans ${fmt(min[j])} to ${fmt(max[j])}`;
  if (magnitude[largest] >= RANGE_RATIO * magnitude[small]) {
    return [
      `features span very different ranges (${applied}): ${range(largest)}, ${range(small)}; ` +
        'set data.normalize to "standardize" (or "minmax") to scale each feature on its own',
    ];
  }
  if (magnitude[largest] >= LARGE_INPUT) {
    return [
      `inputs are far from 1 (${applied}): ${range(largest)}; set data.normalize to "standardize", "minmax" ` +
        `or a divisor such as ${fmt(magnitude[largest] * (spec.kind === 'divide' ? spec.divisor : 1))}`,
    ];
  }
  return [];
}
