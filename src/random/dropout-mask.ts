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
 * Writes `keep` (the inverted-dropout factor 1/(1 − rate)) for each kept unit and 0 for each
 * dropped one into mask[i·units + u], for rows i < rows; row i is sample samples[first + i].
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
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate ${rate} is outside [0, 1)`);
  if (first + rows > samples.length) {
    throw new Error(`dropout: rows ${first}..${first + rows - 1} but only ${samples.length} sample indices`);
  }
  // P(word < threshold) = threshold / 2³², within 2⁻³² of the rate.
  const threshold = Math.floor(rate * 2 ** 32);
  const keep = 1 / (1 - rate);
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
