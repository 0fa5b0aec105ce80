/**
 * A regressor's metrics against hand-derived values: the accumulator, a hand-made model through
 * loadModel, `npm run eval` and `npm run predict` (in-process), and their errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as evalMain } from '../../src/cli/eval.ts';
import { main as predictMain } from '../../src/cli/predict.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadModel } from '../../src/index.ts';
import { RegressionAccumulator } from '../../src/use/regression-evaluation.ts';
import { handMadeRun, memoryIo, tempDir, userErrorOf } from './helpers.ts';

const s = suite('regression metrics');
const root = tempDir();
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

s('mse, mae, R² (per target, and pooled 1 − ΣSS_res/ΣSS_tot) by hand', () => {
  // targets [[1, 10], [2, 20], [3, 30]], outputs [[1.5, 10], [2, 18], [2, 33]]:
  // errors y: 0.5, 0, −1 (SS_res 1.25, |e| 1.5), z: 0, −2, 3 (SS_res 13, |e| 5);
  // means 2 and 20: SS_tot 2 and 200.
  const accumulator = new RegressionAccumulator(['y', 'z']);
  accumulator.add([1.5, 10, 2, 18], [1, 10, 2, 20], 2, 0.5 * (0.25 + 4)); // two blocks, in order
  accumulator.add([2, 33], [3, 30], 1, 0.5 * (1 + 9));
  const result = accumulator.result();
  assert.is(result.count, 3);
  close(result.loss, 7.125 / 3, 'loss: ½·14.25 over 3 rows');
  close(result.mse, 14.25 / 6, 'mse over the 6 values');
  close(result.mae, 6.5 / 6, 'mae');
  close(result.r2, 1 - 14.25 / 202, 'pooled R²');
  assert.equal(
    result.perTarget.map((t) => t.target),
    ['y', 'z'],
  );
  close(result.perTarget[0].r2, 1 - 1.25 / 2, 'R² of y');
  close(result.perTarget[1].r2, 1 - 13 / 200, 'R² of z');
  close(result.perTarget[0].mse, 1.25 / 3, 'mse of y');
  close(result.perTarget[1].mae, 5 / 3, 'mae of z');
});

s('constant targets: R² is 1 for exact predictions, 0 otherwise (as scikit-learn)', () => {
  const exact = new RegressionAccumulator(['y']);
  exact.add([4, 4], [4, 4], 2, 0);
  assert.is(exact.result().r2, 1);
  const off = new RegressionAccumulator(['y']);
  off.add([4, 5], [4, 4], 2, 0.5);
  assert.is(off.result().r2, 0);
});

/** 2 features → affine 1: y = 2·a − b + 0.5, trained (by hand) with mse. */
const config: RunConfigInput = {
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 20 },
  model: { layers: [{ type: 'affine', units: 1 }], loss: 'mse' },
  train: {},
  parallel: { kernels: 'wasm' },
};
const data = { features: 2, classes: 0, task: 'regression' as const, targetNames: ['y'] };
const run = join(root, 'run');
handMadeRun(run, config, data, { 'layers.0.weight': [2, -1], 'layers.0.bias': [0.5] });
// Rows (1, 1), (2, 0), (0, 3) give 1.5, 4.5, −2.5; targets 1, 5, −2: errors 0.5, −0.5, −0.5.
const rows = [
  [1, 1],
  [2, 0],
  [0, 3],
];
const targets = [1, 5, -2];
// mean t = 4/3: SS_tot = (1/9 + 121/9 + 100/9) = 222/9; SS_res = 0.75.
const expected = { loss: 0.125, mse: 0.25, mae: 0.5, r2: 1 - 0.75 / (222 / 9) };

s('loadModel: predict gives the outputs; evaluate the metrics by hand', () => {
  const model = loadModel(run);
  assert.equal(Array.from(model.predict(rows)), [1.5, 4.5, -2.5]);
  const result = model.evaluate({ rows, targets });
  assert.is(result.task, 'regression');
  for (const key of ['loss', 'mse', 'mae', 'r2'] as const) close((result as never)[key], expected[key], key);
  // Targets as one array per row are the same targets.
  close((model.evaluate({ rows, targets: targets.map((t) => [t]) }) as { r2: number }).r2, expected.r2, 'nested');
});

s('loadModel: errors name the targets', async () => {
  const model = loadModel(run);
  assert.match((await userErrorOf(() => model.evaluate({ rows, targets: [1, 2] }))).message, '2 targets for 3 rows');
  assert.match((await userErrorOf(() => model.evaluate({ rows, labels: [0, 1, 0] }))).message, 'not labels');
  assert.match(
    (await userErrorOf(() => model.evaluate({ rows, targets: [1, Number.NaN, 2] }))).message,
    'is not a finite number → at targets[1]',
  );
  assert.match((await userErrorOf(() => model.predictProba(rows))).message, 'regressor');
});

async function command(main: typeof evalMain, ...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

s('npm run eval / predict on CSV and JSON files with a target column', async () => {
  const csv = join(root, 'rows.csv');
  writeFileSync(csv, 'a,y,b\n1,1,1\n2,5,0\n0,-2,3\n'); // the target between the features, by name
  const evaluated = await command(evalMain, run, '--data', csv, '--json');
  assert.is(evaluated.err, '');
  const result = JSON.parse(evaluated.out);
  for (const key of ['loss', 'mse', 'mae', 'r2'] as const) close(result[key], expected[key], key);
  assert.equal(result.perTarget[0].target, 'y');
  const text = (await command(evalMain, run, '--data', csv)).out;
  assert.match(text, `R²    ${expected.r2.toFixed(6)}`);
  // predict drops the target column and writes the outputs under the target's name.
  const predicted = await command(predictMain, run, csv);
  assert.is(predicted.out, 'y\n1.5\n4.5\n-2.5\n');
  const json = join(root, 'rows.json');
  writeFileSync(json, JSON.stringify({ rows, targets }));
  close(JSON.parse((await command(evalMain, run, '--data', json, '--json')).out).r2, expected.r2, 'json');
});

s('npm run eval on a regressor: bad input is exit 2 naming the file and line, no stack', async () => {
  const noTargets = join(root, 'features.csv');
  writeFileSync(noTargets, 'a,b\n1,1\n');
  const missing = await command(evalMain, run, '--data', noTargets);
  assert.is(missing.code, 2);
  assert.match(missing.err, `✖ 2 columns and no target columns: evaluating needs the targets`);
  assert.match(missing.err, `→ at ${noTargets}:1`);
  const bad = join(root, 'bad.csv');
  writeFileSync(bad, 'a,y,b\n1,1,1\n2,x,0\n');
  const result = await command(evalMain, run, '--data', bad);
  assert.is(result.code, 2);
  assert.match(result.err, `✖ column 2 (y): "x" is not a number → at ${bad}:3`);
  assert.not.match(result.err, '    at ');
  const labels = join(root, 'labels.json');
  writeFileSync(labels, JSON.stringify({ rows, labels: [0, 1, 0] }));
  assert.match((await command(evalMain, run, '--data', labels)).err, 'a regressor takes "targets", not "labels"');
  const write = await command(evalMain, run, '--write');
  assert.is(write.code, 2);
  assert.match(write.err, 'this model is a regressor → at --write');
});

s.run();
