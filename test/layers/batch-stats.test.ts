import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  finishStatistics,
  gradientPartial,
  inverseStd,
  normalizeBackward,
  normalizeRows,
  statisticsPartial,
  sumPartials,
} from '../../src/layers/batch-stats.ts';
import { createRng } from '../../src/random.ts';
import { chunkBounds } from '../../src/train/partition.ts';

/**
 * Batch normalization split into chunks: per-chunk partial sums, reduced in chunk order, must give
 * the statistics and gradients of the whole batch. Compared with an independent whole-batch
 * computation in float64 (two-pass variance, dx by the formula), and chunkings with each other.
 */
const s = suite('batch statistics from per-chunk partial sums');

const N = 7;
const D = 3;
const EPSILON = 1e-5;
const rng = createRng(11);
// Feature means 0, 5 and −300: the last makes Σx² − N·μ² cancel hard (μ/σ ≈ 300).
const x = Float32Array.from({ length: N * D }, (_, i) => [0, 5, -300][i % D] + rng.normal());
const dout = Float32Array.from({ length: N * D }, () => rng.normal());
const gamma = Float32Array.of(1.5, -0.5, 2);
const beta = Float32Array.of(0.1, 0.2, -0.3);

/** The whole batch in float64, written out independently of batch-stats.ts. */
function wholeBatch() {
  const mean = new Float64Array(D);
  const variance = new Float64Array(D);
  const dx = new Float64Array(N * D);
  for (let j = 0; j < D; j++) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += x[i * D + j];
    mean[j] = sum / N;
    let squares = 0;
    for (let i = 0; i < N; i++) squares += (x[i * D + j] - mean[j]) ** 2;
    variance[j] = squares / N;
    const sigma = Math.sqrt(variance[j] + EPSILON);
    const xhat = (i: number) => (x[i * D + j] - mean[j]) / sigma;
    let sumDout = 0;
    let sumDoutXhat = 0;
    for (let i = 0; i < N; i++) {
      sumDout += dout[i * D + j];
      sumDoutXhat += dout[i * D + j] * xhat(i);
    }
    for (let i = 0; i < N; i++) {
      dx[i * D + j] = (gamma[j] / (N * sigma)) * (N * dout[i * D + j] - sumDout - xhat(i) * sumDoutXhat);
    }
  }
  return { mean, variance, dx };
}

/** Forward and backward of the batch cut into `chunks`, every chunk on its own buffers, reduced in chunk order. */
function chunked(chunks: number, computeOrder: 'forward' | 'reverse' = 'forward') {
  const bounds = Array.from({ length: chunks }, (_, c) => chunkBounds(N, chunks, c));
  const order = bounds.map((_, c) => c);
  if (computeOrder === 'reverse') order.reverse();
  // Dirty scratch: a partial must overwrite, never add to, what its buffer held.
  const partials = bounds.map(() => new Float64Array(2 * D).fill(123));
  for (const c of order) {
    const [a, b] = bounds[c];
    statisticsPartial(x.slice(a * D, b * D), b - a, D, partials[c]);
  }
  const mean = new Float64Array(D);
  const variance = new Float64Array(D);
  finishStatistics(partials, N, new Float64Array(2 * D), mean, variance);
  const inverse = new Float64Array(D);
  inverseStd(variance, EPSILON, inverse);
  const y = new Float32Array(N * D);
  const xhat = new Float32Array(N * D);
  const gradientPartials = bounds.map(() => new Float64Array(2 * D).fill(-7));
  for (const c of order) {
    const [a, b] = bounds[c];
    const rows = b - a;
    const chunkXhat = new Float32Array(rows * D);
    const chunkY = new Float32Array(rows * D);
    normalizeRows(x.slice(a * D, b * D), rows, mean, inverse, gamma, beta, chunkXhat, chunkY);
    xhat.set(chunkXhat, a * D);
    y.set(chunkY, a * D);
    gradientPartial(dout.slice(a * D, b * D), chunkXhat, rows, D, gradientPartials[c]);
  }
  const sums = new Float64Array(2 * D);
  sumPartials(gradientPartials, sums);
  const dx = new Float32Array(N * D);
  for (const [a, b] of bounds) {
    const part = new Float32Array((b - a) * D);
    normalizeBackward(dout.slice(a * D, b * D), xhat.slice(a * D, b * D), b - a, N, gamma, inverse, sums, part);
    dx.set(part, a * D);
  }
  return { mean, variance, y, xhat, sums, dx };
}

/** Distance in float32 units in the last place. */
function ulps(a: number, b: number): number {
  const bits = new Int32Array(Float32Array.of(a, b).buffer);
  const ordered = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v);
  return Math.abs(ordered(bits[0]) - ordered(bits[1]));
}

s("mean (1e-12) and variance (1e-9: at μ/σ ≈ 300 Σx² − Nμ² cancels) of 1, 2, 3 chunks are the whole batch's", () => {
  const want = wholeBatch();
  let worst = 0;
  for (const chunks of [1, 2, 3]) {
    const got = chunked(chunks);
    for (let j = 0; j < D; j++) {
      assert.ok(Math.abs(got.mean[j] - want.mean[j]) <= 1e-12 * Math.abs(want.mean[j]), `${chunks} chunks: mean ${j}`);
      const error = Math.abs(got.variance[j] - want.variance[j]) / want.variance[j];
      assert.ok(error < 1e-9, `${chunks} chunks: variance ${j} off by ${error}`);
      worst = Math.max(worst, error);
    }
  }
  console.log(`    worst relative error of the variance: ${worst.toExponential(1)}`);
});

s('dx from chunks (two reduced sums per feature) matches the whole-batch formula to float32 rounding', () => {
  const want = wholeBatch();
  for (const chunks of [1, 2, 3]) {
    const got = chunked(chunks);
    const scale = Math.max(...want.dx.map(Math.abs));
    got.dx.forEach((v, i) => assert.ok(Math.abs(v - want.dx[i]) < 1e-6 * scale, `${chunks} chunks: dx[${i}]`));
  }
});

s('x̂, y and dx of 2 or 3 chunks are within 1 ulp of the single chunk (float32 results of float64 sums)', () => {
  const one = chunked(1);
  let differing = 0;
  for (const chunks of [2, 3]) {
    const got = chunked(chunks);
    for (const key of ['xhat', 'y', 'dx'] as const) {
      got[key].forEach((v, i) => {
        const distance = ulps(v, one[key][i]);
        assert.ok(distance <= 1, `${chunks} chunks: ${key}[${i}] ${v} vs ${one[key][i]} (${distance} ulps)`);
        if (distance) differing++;
      });
    }
  }
  console.log(`    float32 results differing by 1 ulp between chunkings: ${differing} of ${2 * 3 * N * D}`);
});

s('for a fixed chunking the result is bitwise the same whatever order the chunks were computed in', () => {
  for (const chunks of [2, 3]) {
    const a = chunked(chunks, 'forward');
    const b = chunked(chunks, 'reverse');
    for (const key of ['mean', 'variance', 'y', 'sums', 'dx'] as const) {
      assert.equal(Array.from(b[key]), Array.from(a[key]), `${chunks} chunks: ${key}`);
    }
  }
});

s("a chunk's gradient partial is its own dβ | dγ: Σdout and Σdout·x̂ over its rows", () => {
  const { xhat } = chunked(1);
  const partial = new Float64Array(2 * D);
  gradientPartial(dout, xhat, N, D, partial);
  for (let j = 0; j < D; j++) {
    let dbeta = 0;
    let dgamma = 0;
    for (let i = 0; i < N; i++) {
      dbeta += dout[i * D + j];
      dgamma += dout[i * D + j] * xhat[i * D + j];
    }
    assert.ok(Math.abs(partial[j] - dbeta) < 1e-12 && Math.abs(partial[D + j] - dgamma) < 1e-12);
  }
});

s.run();
