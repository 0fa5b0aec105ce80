import type { RunConfigInput } from '../config/schema.ts';
import { testRowsFor } from '../data/split.ts';
import { createRng, type Rng } from '../random.ts';

/**
 * The configs of `npm run stress`: small, fast runs chosen so that every kind of phase change of
 * the protocol happens often — full batches with a small test split (an evaluation with fewer
 * chunks than the training phase after it, the race of issue 8), short last batches, chunk counts
 * from 1 to 8, evaluations with more chunks than training, and no test split at all.
 */
export interface StressCase {
  readonly config: RunConfigInput;
  readonly trainRows: number;
  readonly testRows: number;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)];
const between = (rng: Rng, low: number, high: number) => low + Math.floor(rng.next() * (high - low + 1));

export function stressCase(seed: number, index: number): StressCase {
  const rng = createRng(seed, 77, index);
  const n = between(rng, 30, 240);
  const testFraction = pick(rng, [0, 0.1, 0.2, 0.34, 0.5]);
  const testRows = testRowsFor(testFraction, n, 'a stress case'); // as the data's split rounds it
  const trainRows = n - testRows;
  const small = between(rng, 3, 24);
  const batchSize = pick(rng, [trainRows, small, small, between(rng, 3, Math.max(3, trainRows >> 2))]);
  const activation = pick(rng, ['relu', 'tanh', 'sigmoid'] as const);
  const extra = pick(rng, [[], [{ type: 'scale' as const }], [{ type: 'scale' as const }, { type: 'bias' as const }]]);
  const config: RunConfigInput = {
    name: `stress-${index}`,
    seed: index,
    data: { source: 'synthetic', kind: 'spiral', n, classes: 3, testFraction, seed: index },
    model: {
      layers: [
        { type: 'affine', units: between(rng, 4, 16) },
        { type: activation },
        ...extra,
        { type: 'affine', units: 3 },
      ],
    },
    train: {
      epochs: between(rng, 4, 10),
      batchSize,
      optimizer: pick(rng, [
        { type: 'sgd', learningRate: 0.1 },
        { type: 'momentum', learningRate: 0.05 },
        { type: 'adam', learningRate: 0.01 },
      ]),
    },
    parallel: { workers: 1, chunks: between(rng, 1, 8), kernels: 'wasm', stepTimeoutSeconds: 60 },
  };
  return { config, trainRows, testRows };
}

export type TransitionKind =
  | 'TRAIN→TRAIN'
  | 'TRAIN→TRAIN into a short batch'
  | 'TRAIN→EVAL'
  | 'EVAL→TRAIN with more chunks'
  | 'EVAL→TRAIN with fewer or as many chunks'
  | '→STOP';

/** The phase changes a run of `stressCase` goes through (counted from its shape, as the trainer publishes them). */
export function transitionsOf(c: StressCase): Map<TransitionKind, number> {
  const { batchSize = 100, epochs = 1 } = c.config.train ?? {};
  const chunks = c.config.parallel?.chunks ?? 8;
  const batch = Math.min(batchSize, c.trainRows);
  const steps = Math.ceil(c.trainRows / batch);
  const evalChunks = Math.ceil(c.testRows / Math.ceil(batch / chunks));
  const shortLast = c.trainRows % batch !== 0;
  const counts = new Map<TransitionKind, number>();
  const add = (kind: TransitionKind, times: number) => times > 0 && counts.set(kind, (counts.get(kind) ?? 0) + times);
  add('TRAIN→TRAIN', epochs * (steps - 1) - (shortLast ? epochs : 0) + (evalChunks === 0 ? epochs - 1 : 0));
  add('TRAIN→TRAIN into a short batch', shortLast ? epochs : 0);
  if (evalChunks > 0) {
    add('TRAIN→EVAL', epochs);
    add(evalChunks < chunks ? 'EVAL→TRAIN with more chunks' : 'EVAL→TRAIN with fewer or as many chunks', epochs - 1);
  }
  add('→STOP', 1);
  return counts;
}
