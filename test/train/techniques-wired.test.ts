import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digest, tempDir } from './helpers.ts';

/**
 * Dropout and a learning-rate schedule in a real run: the same bytes at any worker count (the mask
 * is keyed by the sample, not by the thread or chunk), the schedule really applied (the logged
 * learning rates are the schedule's, derived here by hand), dropout really active (the weights
 * differ from the same run without it).
 */
const s = suite('training techniques in the trainer');

function config(layers: object[], workers: number): RunConfigInput {
  return {
    seed: 5,
    data: { source: 'synthetic', kind: 'spiral', n: 240 },
    model: { layers: layers as never },
    train: {
      epochs: 3,
      batchSize: 32,
      optimizer: { type: 'momentum', learningRate: 0.2, schedule: { type: 'step', every: 1, gamma: 0.5 } },
    },
    parallel: { workers, chunks: 4, kernels: 'wasm' },
  };
}
const withDropout = [
  { type: 'affine', units: 32 },
  { type: 'relu' },
  { type: 'dropout', rate: 0.3 },
  { type: 'affine', units: 3 },
];

s('dropout + step schedule: byte-identical weights at 1, 2 and 3 workers; the schedule is applied', async () => {
  const runs = [];
  for (const workers of [1, 2, 3]) runs.push(await train(config(withDropout, workers), { write: false }));
  assert.is(digest(runs[1].weights), digest(runs[0].weights));
  assert.is(digest(runs[2].weights), digest(runs[0].weights));
  // step schedule, every epoch × 0.5: 0.2, 0.1, 0.05 for epochs 1–3
  assert.equal(
    runs[0].metrics.map((m) => m.learningRate),
    [0.2, 0.1, 0.05],
  );
  const noDropout = await train(config([withDropout[0], withDropout[1], withDropout[3]], 1), { write: false });
  assert.is.not(digest(noDropout.weights), digest(runs[0].weights), 'dropout changed nothing');
  const constant = config(withDropout, 1);
  constant.train = { ...constant.train, optimizer: { type: 'momentum', learningRate: 0.2 } };
  const unscheduled = await train(constant, { write: false });
  assert.is.not(digest(unscheduled.weights), digest(runs[0].weights), 'the schedule changed nothing');
});

s('dropout + schedule + clipping + class weights + early stopping: the same bytes at 1, 2 and 3 workers', async () => {
  const all = (workers: number): RunConfigInput => ({
    seed: 8,
    data: { source: 'synthetic', kind: 'spiral', n: 300, validation: 0.2 },
    model: {
      layers: [
        { type: 'affine', units: 64 },
        { type: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'affine', units: 64 }, // 4547 parameters: the clip norm spans 2 reduce ranges
        { type: 'relu' },
        { type: 'affine', units: 3 },
      ],
    },
    train: {
      epochs: 6,
      batchSize: 32,
      optimizer: { type: 'momentum', learningRate: 0.3, schedule: { type: 'cosine', warmup: { steps: 5 } } },
      clipGradientNorm: 0.5,
      classWeights: [1, 2, 0.5],
      earlyStopping: { metric: 'validationAccuracy', patience: 2 },
    },
    parallel: { workers, chunks: 3, kernels: 'wasm' },
  });
  const runs: Array<{ run: Awaited<ReturnType<typeof train>>; best: Buffer }> = [];
  for (const workers of [1, 2, 3]) {
    const dir = tempDir('techniques-');
    const run = await train({ ...all(workers), output: { dir } });
    runs.push({ run, best: readFileSync(join(dir, 'model.best.safetensors')) });
  }
  const outcome = (r: Awaited<ReturnType<typeof train>>) => {
    const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = r.summary;
    return rest;
  };
  for (const i of [1, 2]) {
    assert.is(digest(runs[i].run.weights), digest(runs[0].run.weights), `${i + 1} workers: weights`);
    assert.ok(runs[i].best.equals(runs[0].best), `${i + 1} workers: model.best.safetensors`);
    assert.equal(outcome(runs[i].run), outcome(runs[0].run), `${i + 1} workers: summary`);
  }
  assert.type(runs[0].run.summary.bestEpoch, 'number');
});

s.run();
