import { philox4x32 } from './philox.ts';

/**
 * Dropout's mask as a pure function of WHICH element it is, never of where or when it is computed.
 * Unit u of dataset sample s at global step t in layer l is dropped when the Philox4x32-10 word
 * (u mod 4) of
 *     counter (⌊u / 4⌋, s, t, l),  key (seed, DROPOUT_KEY)
 * is below rate·2³². A batch cut into 1, 2 or 8 chunks, computed by any threads in any order,
 * therefore drops the same units; two layers, two steps or two samples draw independent words.
 */

/** The key's second word: keeps dropout's draws apart from any later use of Philox with the same seed. */
export const DROPOUT_KEY = 0x64726f70; // 'drop'

/** Which dropout draws a forward makes: the run's seed, the global step and the layer's index in the chain. */
export interface DropoutKey {
  readonly seed: number;
  readonly step: number;
  readonly layer: number;
}

const words = new Uint32Array(4);

/**
 * The unsigned bound a Philox word is compared with: a unit is dropped when its word is below it,
 * so P(drop) = threshold / 2³², within 2⁻³² of the rate. Throws for a rate outside [0, 1).
 */
export function dropThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate ${rate} is outside [0, 1)`);
  return Math.floor(rate * 2 ** 32);
}

/** What a kept unit is multiplied by (inverted dropout), as a float32. */
export const keepFactor = (rate: number): number => Math.fround(1 / (1 - rate));

/** Throws unless samples[first .. first + rows) exist. */
export function checkSampleRange(samples: Uint32Array, first: number, rows: number): void {
  if (first + rows > samples.length) {
    throw new Error(`dropout: rows ${first}..${first + rows - 1} but only ${samples.length} sample indices`);
  }
}

/**
 * Writes `keep` (the inverted-dropout factor 1/(1 − rate)) for each kept unit and 0 for each
 * dropped one into mask[i·units + u], for rows i < rows; row i is sample samples[first + i]. The
 * definition and the reference kernel; the wasm kernel (kernels/assembly/dropout.ts) computes the
 * same words with 64-bit multiplications.
 */
export function fillDropoutMask(
  mask: Float32Array,
  rows: number,
  units: number,
  rate: number,
  key: DropoutKey,
  samples: Uint32Array,
  first: number,
): void {
  const threshold = dropThreshold(rate);
  const keep = keepFactor(rate);
  checkSampleRange(samples, first, rows);
  for (let i = 0; i < rows; i++) {
    const sample = samples[first + i];
    const row = i * units;
    for (let block = 0; 4 * block < units; block++) {
      philox4x32(block, sample, key.step, key.layer, key.seed, DROPOUT_KEY, words);
      const end = Math.min(4, units - 4 * block);
      for (let lane = 0; lane < end; lane++) mask[row + 4 * block + lane] = words[lane] < threshold ? 0 : keep;
    }
  }
}
