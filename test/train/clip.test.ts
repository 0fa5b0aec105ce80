import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng } from '../../src/random.ts';
import { clipFactor, globalNorm, scaleGradient, sumOfSquares } from '../../src/train/clip.ts';
import { rangeBounds } from '../../src/train/partition.ts';

const s = suite('gradient clipping by global norm, from per-range sums of squares');

// g = [3, 4] in two ranges: 9 + 16 = 25, norm 5. maxNorm 1: factor 1/(5 + 1e-6), the clipped norm just under 1.
s('the norm of [3 | 4] is 5; clipped to 1 it becomes [0.6, 0.8] (up to the 1e-6 guard)', () => {
  const g = Float32Array.of(3, 4);
  const norm = globalNorm([sumOfSquares(g.subarray(0, 1)), sumOfSquares(g.subarray(1))]);
  assert.is(norm, 5);
  const factor = clipFactor(norm, 1);
  assert.is(factor, 1 / (5 + 1e-6));
  scaleGradient(g, factor);
  assert.ok(Math.abs(g[0] - 0.6) < 1e-6 && Math.abs(g[1] - 0.8) < 1e-6, `${g}`);
});

s('a norm at or below maxNorm leaves the gradient alone (factor exactly 1)', () => {
  assert.is(clipFactor(5, 10), 1);
  assert.is(clipFactor(0, 1), 1);
  const g = Float32Array.of(1, -2);
  scaleGradient(g, clipFactor(Math.sqrt(5), 3));
  assert.equal(Array.from(g), [1, -2]);
});

s('non-finite norm gives NaN (never a silent 1); maxNorm must be > 0', () => {
  assert.ok(Number.isNaN(clipFactor(Infinity, 1)));
  assert.ok(Number.isNaN(clipFactor(NaN, 1)));
  assert.throws(() => clipFactor(1, 0), /maxNorm 0 must be > 0/);
});

const rng = createRng(8);
const gradient = Float32Array.from({ length: 5000 }, () => rng.normal() * 1e-3);

/** The norm as the trainer computes it: one sum per range (any thread, any order), added in range order. */
function normByRanges(ranges: number, computeOrder: 'forward' | 'reverse'): number {
  const sums = new Float64Array(ranges);
  const order = Array.from({ length: ranges }, (_, r) => r);
  if (computeOrder === 'reverse') order.reverse();
  for (const r of order) {
    const [a, b] = rangeBounds(gradient.length, ranges, r);
    sums[r] = sumOfSquares(gradient.subarray(a, b));
  }
  return globalNorm(sums);
}

s('the same ranges give bitwise the same norm whichever thread summed which range, in any order', () => {
  for (const ranges of [1, 2, 7]) assert.is(normByRanges(ranges, 'reverse'), normByRanges(ranges, 'forward'));
});

s('any range count agrees with a plain float64 norm to 1e-14 relative', () => {
  let plain = 0;
  for (const g of gradient) plain += g * g;
  plain = Math.sqrt(plain);
  for (const ranges of [1, 2, 7, 64]) {
    const norm = normByRanges(ranges, 'forward');
    assert.ok(Math.abs(norm - plain) < 1e-14 * plain, `${ranges} ranges: ${norm} vs ${plain}`);
  }
});

s.run();
