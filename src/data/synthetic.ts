/**
 * The `synthetic` source: small 2-D classification problems generated from
 * createRng(seed, STREAM.synthetic), then split by the shared seeded split (STREAM.split).
 *   xor    — 4 Gaussian blobs at (±1, ±1) of std `noise`; label 1 where the centre's signs differ.
 *   spiral — `classes` arms (cs231n): radius 0→1 along each arm, angle 4k→4(k+1) plus N(0, noise).
 *   moons  — two interleaving half circles (as sklearn's make_moons), plus N(0, noise) per axis.
 * Rows come in generation order (class by class for spiral and moons); the split permutes them,
 * so train and test both see every class.
 */
import { createRng, STREAM, type Rng } from '../random.ts';
import type { Dataset } from './types.ts';
import type { SyntheticConfig } from './schema.ts';
import { assembleDataset } from './assemble.ts';
import { checkDataFits, rowsThatFit } from './budget.ts';
import { seededSplit, testRowsFor, type RawRows } from './split.ts';

type Generator = (n: number, noise: number, classes: number, rng: Rng) => RawRows;

/** How many of n rows go to class k when they are shared out as evenly as possible. */
const share = (n: number, classes: number, k: number): number => Math.floor(n / classes) + (k < n % classes ? 1 : 0);

/** t-th of `steps` evenly spaced points from a to b (a alone when steps is 1). */
const linspace = (a: number, b: number, t: number, steps: number): number =>
  steps === 1 ? a : a + ((b - a) * t) / (steps - 1);

function xor(n: number, noise: number, _classes: number, rng: Rng): RawRows {
  const inputs = new Float32Array(n * 2);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sx = i % 2 === 0 ? 1 : -1;
    const sy = i % 4 < 2 ? 1 : -1;
    inputs[2 * i] = sx + noise * rng.normal();
    inputs[2 * i + 1] = sy + noise * rng.normal();
    labels[i] = sx === sy ? 0 : 1;
  }
  return { inputs, labels, count: n };
}

function spiral(n: number, noise: number, classes: number, rng: Rng): RawRows {
  const inputs = new Float32Array(n * 2);
  const labels = new Float64Array(n);
  let i = 0;
  for (let k = 0; k < classes; k++) {
    const points = share(n, classes, k);
    for (let t = 0; t < points; t++, i++) {
      const radius = linspace(0, 1, t, points);
      const angle = linspace(4 * k, 4 * (k + 1), t, points) + noise * rng.normal();
      inputs[2 * i] = radius * Math.sin(angle);
      inputs[2 * i + 1] = radius * Math.cos(angle);
      labels[i] = k;
    }
  }
  return { inputs, labels, count: n };
}

function moons(n: number, noise: number, _classes: number, rng: Rng): RawRows {
  const inputs = new Float32Array(n * 2);
  const labels = new Float64Array(n);
  const outer = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    const inner = i >= outer;
    const angle = inner ? linspace(0, Math.PI, i - outer, n - outer) : linspace(0, Math.PI, i, outer);
    inputs[2 * i] = (inner ? 1 - Math.cos(angle) : Math.cos(angle)) + noise * rng.normal();
    inputs[2 * i + 1] = (inner ? 0.5 - Math.sin(angle) : Math.sin(angle)) + noise * rng.normal();
    labels[i] = inner ? 1 : 0;
  }
  return { inputs, labels, count: n };
}

const generators: Record<SyntheticConfig['kind'], Generator> = { xor, spiral, moons };

export function loadSynthetic(config: SyntheticConfig, runSeed: number, maxBytes: number): Dataset {
  const seed = config.seed ?? runSeed;
  const test = testRowsFor(config.testFraction, config.n, `synthetic ${config.kind}`);
  const size = { features: 2, trainRows: config.n - test, testRows: test };
  checkDataFits(
    size,
    maxBytes,
    `data synthetic ${config.kind}`,
    `set data.n to at most ${rowsThatFit(2, maxBytes)}`,
    'data.n',
  );
  const table = generators[config.kind](config.n, config.noise, config.classes, createRng(seed, STREAM.synthetic));
  const splits = test === 0 ? { train: table, test: null } : seededSplit(table, 2, config.n - test, test, seed);
  const from = config.kind === 'spiral' ? 'data.classes (spiral arms)' : `kind ${config.kind}`;
  return assembleDataset({
    name: `synthetic:${config.kind}`,
    features: 2,
    classes: { classes: config.classes, from, warning: null },
    ...splits,
    normalize: config.normalize,
    featureName: (j) => ['x', 'y'][j],
  });
}
