import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DROPOUT_KEY, fillDropoutMask, type DropoutKey } from '../../src/random/dropout-mask.ts';
import { philox4x32 } from '../../src/random/philox.ts';
import { createRng, permutation } from '../../src/random.ts';
import { chunkBounds } from '../../src/train/partition.ts';

const s = suite('dropout mask: keyed by (seed, step, sample, unit, layer), not by chunk or thread');

const key: DropoutKey = { seed: 42, step: 17, layer: 3 };
const ROWS = 24;
const UNITS = 10; // not a multiple of 4: the last Philox block is partly used
const order = permutation(100, createRng(1)); // an epoch order: row i of the batch is sample order[30 + i]
const FIRST = 30;

function wholeBatch(rate: number, k: DropoutKey = key): Float32Array {
  const mask = new Float32Array(ROWS * UNITS);
  fillDropoutMask(mask, ROWS, UNITS, rate, k, order, FIRST);
  return mask;
}

s('the same mask for every row whether the batch is cut into 1, 2, 3 or 8 chunks, computed in any order', () => {
  const whole = wholeBatch(0.5);
  for (const chunks of [1, 2, 3, 8]) {
    const assembled = new Float32Array(ROWS * UNITS);
    // Last chunk first, as a thread that finishes late would leave it.
    for (let c = chunks - 1; c >= 0; c--) {
      const [start, end] = chunkBounds(ROWS, chunks, c);
      const part = new Float32Array((end - start) * UNITS);
      fillDropoutMask(part, end - start, UNITS, 0.5, key, order, FIRST + start);
      assembled.set(part, start * UNITS);
    }
    assert.equal(Array.from(assembled), Array.from(whole), `${chunks} chunks`);
  }
});

s('a row follows its sample: the same sample at another position of the batch gets the same mask', () => {
  const samples = Uint32Array.from([7, 8, 9]);
  const moved = Uint32Array.from([9, 7, 8]);
  const a = new Float32Array(3 * UNITS);
  const b = new Float32Array(3 * UNITS);
  fillDropoutMask(a, 3, UNITS, 0.5, key, samples, 0);
  fillDropoutMask(b, 3, UNITS, 0.5, key, moved, 0);
  assert.equal(Array.from(b.subarray(0, UNITS)), Array.from(a.subarray(2 * UNITS)));
  assert.equal(Array.from(b.subarray(UNITS, 2 * UNITS)), Array.from(a.subarray(0, UNITS)));
});

s('unit u of sample s is the Philox word u mod 4 of counter (⌊u/4⌋, s, step, layer), key (seed, DROPOUT_KEY)', () => {
  const rate = 0.3;
  const mask = wholeBatch(rate);
  const words = new Uint32Array(4);
  for (const [i, u] of [
    [0, 0],
    [5, 3],
    [11, 4],
    [23, 9],
  ]) {
    philox4x32(u >> 2, order[FIRST + i], key.step, key.layer, key.seed, DROPOUT_KEY, words);
    const dropped = words[u % 4] < Math.floor(rate * 2 ** 32);
    assert.is(mask[i * UNITS + u], dropped ? 0 : Math.fround(1 / (1 - rate)), `row ${i} unit ${u}`);
  }
});

/** The fraction of zeros in a mask of `rows` × `units` at `rate`, and the values it holds. */
function sample(rate: number, rows: number, units: number, k: DropoutKey = key) {
  const mask = new Float32Array(rows * units);
  fillDropoutMask(
    mask,
    rows,
    units,
    rate,
    k,
    Uint32Array.from({ length: rows }, (_, i) => i),
    0,
  );
  return mask;
}

s('drops a share `rate` of 100,000 units (within 5 standard deviations) and scales the rest by 1/(1 − rate)', () => {
  for (const rate of [0.1, 0.5, 0.8]) {
    const mask = sample(rate, 1000, 100);
    const dropped = mask.filter((v) => v === 0).length / mask.length;
    const sigma = Math.sqrt((rate * (1 - rate)) / mask.length);
    assert.ok(Math.abs(dropped - rate) < 5 * sigma, `rate ${rate}: dropped ${dropped}`);
    assert.ok(
      mask.every((v) => v === 0 || v === Math.fround(1 / (1 - rate))),
      `rate ${rate}: kept values`,
    );
    // Inverted dropout keeps the expected value: the mean factor is ~1.
    const mean = mask.reduce((a, b) => a + b, 0) / mask.length;
    assert.ok(Math.abs(mean - 1) < (5 * sigma) / (1 - rate), `rate ${rate}: mean factor ${mean}`);
  }
});

s('neighbouring units, samples, steps and layers drop independently: P(both) ≈ rate²', () => {
  const rate = 0.5;
  const rows = 400;
  const units = 64;
  const base = sample(rate, rows, units);
  const nextStep = sample(rate, rows, units, { ...key, step: key.step + 1 });
  const nextLayer = sample(rate, rows, units, { ...key, layer: key.layer + 1 });
  const nextSeed = sample(rate, rows, units, { ...key, seed: key.seed + 1 });
  const both = (a: Float32Array, b: Float32Array, pairs: Array<[number, number]>) =>
    pairs.filter(([i, j]) => a[i] === 0 && b[j] === 0).length / pairs.length;
  const all = Array.from({ length: rows * units }, (_, i): [number, number] => [i, i]);
  const nextUnit = all.filter(([i]) => i % units !== units - 1).map(([i]): [number, number] => [i, i + 1]);
  const nextSample = all.filter(([i]) => i < (rows - 1) * units).map(([i]): [number, number] => [i, i + units]);
  const checks: Array<[string, number, number]> = [
    ['next unit', both(base, base, nextUnit), nextUnit.length],
    ['next sample', both(base, base, nextSample), nextSample.length],
    ['next step', both(base, nextStep, all), all.length],
    ['next layer', both(base, nextLayer, all), all.length],
    ['next seed', both(base, nextSeed, all), all.length],
  ];
  for (const [what, share, n] of checks) {
    const sigma = Math.sqrt((rate * rate * (1 - rate * rate)) / n);
    assert.ok(Math.abs(share - rate * rate) < 5 * sigma, `${what}: P(both dropped) = ${share}`);
  }
});

s('rate 0 keeps every unit at factor 1; a rate outside [0, 1) or too few sample indices is an error', () => {
  assert.ok(sample(0, 10, 10).every((v) => v === 1));
  assert.throws(() => sample(1, 2, 2), /dropout rate 1 is outside \[0, 1\)/);
  assert.throws(() => sample(-0.1, 2, 2), /outside \[0, 1\)/);
  assert.throws(
    () => fillDropoutMask(new Float32Array(8), 2, 4, 0.5, key, Uint32Array.from([1, 2]), 1),
    /rows 1\.\.2 but only 2 sample indices/,
  );
});

s.run();
