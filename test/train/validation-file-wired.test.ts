import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { main } from '../../src/cli/batch.ts';
import { train } from '../../src/index.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { assertBadInput, runMain } from '../support/cli.ts';
import { tempDir, writeTemp } from '../support/temp.ts';
import { assertSameWeights, userErrorOf } from './helpers.ts';

/**
 * data.validation as a file, in the trainer. The validation file is crafted: every point twice,
 * once with each of the two labels. Whatever the weights predict for a point, exactly one of its two
 * rows is right, so validationAccuracy is exactly 0.5 after every epoch — a value no share of the
 * training split would give. Early stopping on it (nothing beats epoch 1) must then stop after
 * epoch 1 + patience, keeping epoch 1's weights. The validation loss is recomputed here by hand
 * from the final weights of a one-affine-layer model on the file's rows, standardized with the
 * training file's statistics (computed here too).
 */
const s = suite('validation file, wired into the trainer');
const dir = tempDir('shardprop-valfile-');

/** Deterministic points in [-1, 1)², labelled by the side of the line x + y = 0.1. */
function points(count: number, seed: number): number[][] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count }, () => {
    const [x, y] = [next(), next()];
    return [x, y, x + y > 0.1 ? 1 : 0];
  });
}
const csv = (rows: number[][]) => `x,y,label\n${rows.map((row) => row.join(',')).join('\n')}\n`;

const trainRows = points(40, 1);
const valPoints = points(6, 2);
const valRows = valPoints.flatMap(([x, y]) => [
  [x, y, 0],
  [x, y, 1],
]);
const trainPath = writeTemp(dir, 'train.csv', csv(trainRows));
const testPath = writeTemp(dir, 'test.csv', csv(points(10, 3)));
const valPath = writeTemp(dir, 'val.csv', csv(valRows));

function config(workers: number, output: string, overrides: Partial<RunConfigInput['train']> = {}): RunConfigInput {
  return {
    seed: 4,
    data: {
      source: 'csv',
      path: trainPath,
      testPath,
      labelColumn: 'label',
      normalize: 'standardize',
      validation: { path: valPath },
    },
    model: { layers: [{ type: 'affine', units: 2 }] },
    train: {
      epochs: 10,
      batchSize: 8,
      optimizer: { type: 'sgd', learningRate: 0.5 },
      earlyStopping: { metric: 'validationAccuracy', patience: 2 },
      ...overrides,
    },
    parallel: { workers, chunks: 4, kernels: 'wasm' },
    output: { dir: output },
  };
}

/** Mean softmax cross-entropy of x · W + b (W is [2, 2], inputs × units) over labelled rows. */
function crossEntropy(rows: number[][], weight: ArrayLike<number>, bias: ArrayLike<number>): number {
  const column = (j: number) => trainRows.map((row) => row[j]);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const std = (v: number[]) => Math.sqrt(mean(v.map((a) => (a - mean(v)) ** 2)));
  const stats = [0, 1].map((j) => ({ mean: mean(column(j)), std: std(column(j)) }));
  let sum = 0;
  for (const row of rows) {
    const x = stats.map(({ mean: m, std: sd }, j) => Math.fround((row[j] - m) / sd));
    const logits = [0, 1].map((u) => x[0] * weight[u] + x[1] * weight[2 + u] + bias[u]);
    const top = Math.max(...logits);
    const logSum = top + Math.log(logits.reduce((a, l) => a + Math.exp(l - top), 0));
    sum += logSum - logits[row[2]];
  }
  return sum / rows.length;
}

const withoutTiming = (metrics: object[]) =>
  metrics.map((m) => {
    const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = m as Record<string, unknown>;
    return rest;
  });
const bestOf = (output: string) => decodeSafetensors(readFileSync(join(output, 'model.best.safetensors')));

s(
  'validation metrics come from the file; early stopping keeps the best epoch; same bytes at 1 and 2 workers',
  async () => {
    const [one, two] = [tempDir('valfile-1-'), tempDir('valfile-2-')];
    const run = await train(config(1, one));
    assert.is(run.metrics.length, 3, 'epoch 1 is never beaten at exactly 0.5: stop after 1 + patience 2 epochs');
    for (const m of run.metrics) {
      assert.is(m.validationAccuracy, 0.5);
      assert.is(m.testAccuracy, null, 'the test split is scored at the end only');
    }
    // The training split is the whole training file: 40 rows, 5 steps of 8 per epoch.
    assert.is(run.summary.steps, 3 * 5);
    const summary = JSON.parse(readFileSync(join(one, 'summary.json'), 'utf8'));
    assert.is(summary.bestEpoch, 1);
    assert.is(summary.bestValue, 0.5);
    assert.is(summary.stoppedEarly, true);
    assert.type(summary.bestTestAccuracy, 'number');
    const { 'layers.0.weight': weight, 'layers.0.bias': bias } = run.weights;
    const expected = crossEntropy(valRows, weight.data, bias.data);
    const last = run.metrics.at(-1)!.validationLoss!;
    assert.ok(Math.abs(last - expected) < 1e-5, `validationLoss ${last}, by hand ${expected}`);
    // A control: the same weights on the training file give another loss, so the check can tell.
    assert.ok(Math.abs(crossEntropy(trainRows, weight.data, bias.data) - expected) > 1e-3);
    // model.best.safetensors holds epoch 1's weights: those of the same run cut at 1 epoch.
    const oneEpoch = await train(config(1, tempDir('valfile-e1-'), { epochs: 1, earlyStopping: undefined }));
    assertSameWeights(bestOf(one), oneEpoch.weights, 'model.best.safetensors vs a 1-epoch run');
    assert.equal(oneEpoch.metrics[0].validationLoss, run.metrics[0].validationLoss);

    const parallel = await train(config(2, two));
    assertSameWeights(parallel.weights, run.weights, 'final weights at 1 and 2 workers');
    assertSameWeights(bestOf(two), bestOf(one), 'model.best.safetensors at 1 and 2 workers');
    assert.equal(withoutTiming(parallel.metrics), withoutTiming(run.metrics));
  },
);

s('a regressor refuses data.validation as a file too, by name', async () => {
  const regression = writeTemp(dir, 'regression.csv', 'x,y\n1,2\n2,4\n3,6\n');
  const input: RunConfigInput = {
    data: { source: 'csv', path: regression, targetColumns: ['y'], validation: { path: regression } },
    model: { layers: [{ type: 'affine', units: 1 }], loss: 'mse' },
    train: { epochs: 1, batchSize: 2, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: { workers: 1 },
  };
  const error = await userErrorOf(train(input, { write: false }));
  assert.is(
    error.message,
    'data.validation is not supported for a regressor (targetColumns) yet\n  → at data.validation',
  );
});

s(
  'npm run batch: a relative validation file of other columns is exit 2 naming both files, nothing written',
  async () => {
    const project = tempDir('valfile-cli-');
    writeTemp(project, 'train.csv', csv(trainRows));
    writeTemp(project, 'narrow.csv', 'x,label\n0.5,1\n');
    const input = config(1, 'out');
    input.data = { source: 'csv', path: 'train.csv', labelColumn: 'label', validation: { path: 'narrow.csv' } };
    writeTemp(project, 'cfg.json', JSON.stringify(input));
    const result = await runMain(main, ['cfg.json'], { env: { INIT_CWD: project } });
    const [narrow, wide] = [join(project, 'narrow.csv'), join(project, 'train.csv')];
    assertBadInput(result, `✖ ${narrow} has 2 columns but ${wide} has 3`, 'data.validation.path');
    assert.not.ok(existsSync(join(project, 'out')), 'no run directory');
  },
);

s.run();
