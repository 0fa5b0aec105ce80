import type { ScriptedPhase } from './models.ts';

const train = (chunks: number, batchSize = 4, ranges = 1): ScriptedPhase => ({
  command: 'train',
  chunks,
  ranges,
  batchSize,
});
const evaluate = (chunks: number): ScriptedPhase => ({ command: 'eval', chunks, ranges: 0, batchSize: 0 });
/** The ranges-only phase of a clipped step (train.clipGradientNorm). */
const update = (ranges: number): ScriptedPhase => ({ command: 'update', chunks: 0, ranges, batchSize: 0 });

export interface Scenario {
  name: string;
  script: ScriptedPhase[];
  workers: number;
  /** Preemption bound in `npm test` and in the exhaustive run (`npm run interleavings`). */
  bound: number;
  exhaustiveBound: number;
}

/** Every kind of phase change, each with one late worker (two in the last). */
export const scenarios: Scenario[] = [
  {
    name: 'EVAL → TRAIN with more chunks (the race of issue 8)',
    script: [evaluate(1), train(2)],
    workers: 1,
    bound: 2,
    exhaustiveBound: 3,
  },
  { name: 'TRAIN → EVAL with fewer chunks', script: [train(2), evaluate(1)], workers: 1, bound: 2, exhaustiveBound: 3 },
  {
    name: 'TRAIN → TRAIN into a short last batch',
    script: [train(2, 4, 2), train(2, 3, 2)],
    workers: 1,
    bound: 2,
    exhaustiveBound: 3,
  },
  { name: 'TRAIN → STOP', script: [train(1, 2, 2)], workers: 1, bound: 2, exhaustiveBound: 4 },
  {
    name: 'TRAIN abandoned mid-phase, workers restarted, TRAIN retried',
    script: [{ ...train(2), abort: true }, train(2)],
    workers: 1,
    bound: 2,
    exhaustiveBound: 3,
  },
  {
    name: 'a clipped step: TRAIN → UPDATE → TRAIN with more chunks',
    script: [train(1, 2, 2), update(2), train(2, 3, 1)],
    workers: 1,
    bound: 2,
    exhaustiveBound: 3,
  },
  {
    name: 'UPDATE abandoned mid-phase, workers restarted, the step retried (TRAIN, UPDATE)',
    script: [{ ...update(2), abort: true }, train(1, 2, 1), update(1)],
    workers: 1,
    bound: 2,
    exhaustiveBound: 3,
  },
  {
    name: 'two late workers: EVAL → TRAIN → EVAL',
    script: [evaluate(1), train(2), evaluate(1)],
    workers: 2,
    bound: 1,
    exhaustiveBound: 2,
  },
];

export { evaluate, train, update };
