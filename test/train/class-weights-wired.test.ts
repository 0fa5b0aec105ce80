import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { assertSameWeights, digest, tempDir, userErrorOf } from './helpers.ts';

/**
 * train.classWeights in the trainer. With zero-initialized weights every logit is 0 and softmax is
 * uniform, so one full-batch SGD step can be derived by hand: the loss is Σ_i w(y_i)·ln C / N, and
 * the gradient of bias j is (1/N)·Σ_i w(y_i)·(1/C − [y_i = j]) (of weight [k, j]: the same with x_ik).
 */
const s = suite('class weights, wired into the trainer');

const LR = 0.5;

function csv(rows: number[][]): string {
  const path = join(tempDir('class-weights-'), 'rows.csv');
  writeFileSync(path, 'label,x0,x1\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  return path;
}

function config(path: string, classes: number, classWeights: unknown) {
  return {
    seed: 1,
    data: { source: 'csv', path },
    model: { layers: [{ type: 'affine', units: classes, init: 'zeros' }] },
    train: { epochs: 1, batchSize: 100, optimizer: { type: 'sgd', learningRate: LR }, classWeights },
    parallel: { workers: 1, chunks: 2, kernels: 'wasm' },
  } as RunConfigInput;
}

/** The hand-derived first step from zero weights: loss, bias and weight after it. */
function firstStep(rows: number[][], weights: number[], classes: number) {
  const n = rows.length;
  const w = (row: number[]) => weights[row[0]];
  const loss = (rows.reduce((sum, row) => sum + w(row), 0) * Math.log(classes)) / n;
  const grad = (j: number, feature: (row: number[]) => number) =>
    rows.reduce((sum, row) => sum + w(row) * feature(row) * (1 / classes - (row[0] === j ? 1 : 0)), 0) / n;
  const bias = Array.from({ length: classes }, (_, j) => -LR * grad(j, () => 1));
  // layers.0.weight is [in, units]: entry k·classes + j.
  const weight = [1, 2].flatMap((k) => Array.from({ length: classes }, (_, j) => -LR * grad(j, (row) => row[k])));
  return { loss, bias, weight };
}

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-6, `${what}[${i}]: ${actual[i]} vs ${e}`));
}

s('given weights: the loss and the first step are the hand-derived weighted ones', async () => {
  const rows = [
    [0, 1, 2],
    [0, -1, 0.5],
    [1, 0.5, -1],
    [2, 2, 1],
    [1, -0.5, 0.25],
  ];
  const weights = [1, 2, 0.5];
  const run = await train(config(csv(rows), 3, weights), { write: false });
  const expected = firstStep(rows, weights, 3);
  assert.ok(Math.abs(run.metrics[0].loss - expected.loss) < 1e-6, `loss ${run.metrics[0].loss} vs ${expected.loss}`);
  assertClose(run.weights['layers.0.bias'].data, expected.bias, 'bias');
  assertClose(run.weights['layers.0.weight'].data, expected.weight, 'weight');
  // The unweighted step is different (the test can tell weighted from unweighted).
  const plain = firstStep(rows, [1, 1, 1], 3);
  assert.ok(Math.abs(plain.bias[1] - expected.bias[1]) > 0.01);
});

s('"balanced" on 9 + 3 rows: weights 2/3 and 2, each class weighs 6, so the first bias step is 0', async () => {
  const rows = [
    ...Array.from({ length: 9 }, (_, i) => [0, i / 9, 1]),
    ...Array.from({ length: 3 }, (_, i) => [1, -i / 3, -1]),
  ];
  const run = await train(config(csv(rows), 2, 'balanced'), { write: false });
  const expected = firstStep(rows, [12 / 18, 12 / 6], 2);
  assertClose(expected.bias, [0, 0], 'hand-derived balanced bias');
  assert.ok(Math.abs(run.metrics[0].loss - Math.log(2)) < 1e-6, `loss ${run.metrics[0].loss} vs ln 2`);
  assertClose(run.weights['layers.0.bias'].data, expected.bias, 'bias');
  assertClose(run.weights['layers.0.weight'].data, expected.weight, 'weight');
  const unweighted = await train(config(csv(rows), 2, undefined), { write: false });
  // Without weights the majority class pulls: bias 0 moves by LR · (9·½ − 3·½) / 12 = 0.125.
  assertClose(unweighted.weights['layers.0.bias'].data, [0.125, -0.125], 'unweighted bias');
});

s('class weights: byte-identical weights at 1, 2 and 3 workers; errors name train.classWeights', async () => {
  const spiral = (workers: number, classWeights?: number[]): RunConfigInput => ({
    seed: 4,
    data: { source: 'synthetic', kind: 'spiral', n: 240 },
    model: { layers: [{ type: 'affine', units: 24 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 2, batchSize: 32, optimizer: { type: 'momentum', learningRate: 0.1 }, classWeights },
    parallel: { workers, chunks: 4, kernels: 'wasm' },
  });
  const runs = [];
  for (const workers of [1, 2, 3]) runs.push(await train(spiral(workers, [1, 3, 0.5]), { write: false }));
  assertSameWeights(runs[1].weights, runs[0].weights, '2 workers vs 1');
  assertSameWeights(runs[2].weights, runs[0].weights, '3 workers vs 1');
  const plain = await train(spiral(1), { write: false });
  assert.is.not(digest(plain.weights), digest(runs[0].weights), 'class weights changed nothing');
  const error = await userErrorOf(train(spiral(1, [1, 2]), { write: false }));
  assert.match(error.message, '2 class weights but the data has 3 classes');
  assert.match(error.message, '→ at train.classWeights');
});

s.run();
