import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatInputs } from '../../src/data/inputs.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadDataset } from '../../src/data/load.ts';
import { holdOutValidation } from '../../src/data/split.ts';
import { train } from '../../src/index.ts';
import { planModel } from '../../src/model/plan.ts';
import { chartGroups, seriesNames } from '../../src/report/series.ts';
import { confusionOf } from '../../src/use/confusion.ts';
import { userErrorOf } from './helpers.ts';

/**
 * data.validation: a seeded share of the training split held out; validationLoss and
 * validationAccuracy per epoch; the test split scored once at the end unless train.testEveryEpoch.
 */
const s = suite('validation split');

const split = (count: number) => ({
  inputs: Float32Array.from({ length: count * 2 }, (_, i) => i),
  targets: Float32Array.from({ length: count }, (_, i) => i % 3),
  count,
});

s('holdOutValidation: a seeded partition of the training rows, round(count · fraction) of them', () => {
  const train = split(50);
  const { train: rest, validation } = holdOutValidation(train, 2, 0.2, 7);
  assert.is(validation.count, 10);
  assert.is(rest.count, 40);
  // Row r is recognisable by its first feature, 2r: together the two splits hold each row once.
  const rowsOf = (part: typeof rest) =>
    Array.from({ length: part.count }, (_, i) => floatInputs(part.inputs)[2 * i] / 2);
  const all = [...rowsOf(rest), ...rowsOf(validation)].sort((a, b) => a - b);
  assert.equal(
    all,
    Array.from({ length: 50 }, (_, i) => i),
  );
  for (const part of [rest, validation]) {
    rowsOf(part).forEach((row, i) => {
      assert.is(floatInputs(part.inputs)[2 * i + 1], 2 * row + 1, 'features stay with their row');
      assert.is(part.targets[i], row % 3, 'labels stay with their row');
    });
  }
  assert.equal(rowsOf(holdOutValidation(train, 2, 0.2, 7).validation), rowsOf(validation), 'seeded');
  assert.not.equal(rowsOf(holdOutValidation(train, 2, 0.2, 8).validation), rowsOf(validation), 'another seed');
  assert.throws(() => holdOutValidation(split(3), 2, 0.1, 7), /leaves no validation rows\n {2}→ at data.validation/);
});

function config(validation: number | undefined, testEveryEpoch?: boolean): RunConfigInput {
  return {
    seed: 2,
    data: { source: 'synthetic', kind: 'spiral', n: 300, ...(validation === undefined ? {} : { validation }) },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 2, batchSize: 30, optimizer: { type: 'momentum', learningRate: 0.1 }, testEveryEpoch },
    parallel: { workers: 2, chunks: 3, kernels: 'wasm' },
  };
}

s('per-epoch validation metrics are those of the weights on the held-out rows; test scored at the end', async () => {
  const run = await train(config(0.25), { write: false });
  const resolved = parseConfig(config(0.25) as never);
  const dataset = await loadDataset(resolved.data, resolved.seed);
  const { train: rest, validation } = holdOutValidation(dataset.train, 2, 0.25, resolved.seed);
  assert.is(validation.count, 60);
  assert.is(run.summary.steps, 2 * Math.ceil(rest.count / 30), 'training on the 180 remaining rows only');
  // The final weights through the inference engine (another code path) on the validation rows.
  const plan = planModel(resolved.model, 2);
  const params = Float32Array.from(plan.params.flatMap((p) => Array.from(run.weights[p.name].data)));
  const { matrix } = confusionOf({ plan, params, split: validation });
  const correct = matrix.reduce((sum, row, i) => sum + row[i], 0);
  const last = run.metrics.at(-1)!;
  assert.is(last.validationAccuracy, correct / validation.count);
  assert.type(last.validationLoss, 'number');
  for (const m of run.metrics) assert.is(m.testAccuracy, null, 'the test split is not looked at per epoch');
  // report.html draws them with the training loss and accuracy, named "validation".
  const groups = chartGroups(run.metrics as never);
  for (const [id, field] of [
    ['loss', 'validationLoss'],
    ['accuracy', 'validationAccuracy'],
  ]) {
    const group = groups.find((g) => g.id === id)!;
    assert.ok(group.fields.includes(field), `${field} in the ${id} chart`);
    assert.is(seriesNames(group).get(field), 'validation');
  }
  const test = confusionOf({ plan, params, split: dataset.test! });
  assert.is(run.summary.testAccuracy, test.matrix.reduce((sum, row, i) => sum + row[i], 0) / dataset.test!.count);
});

s('testEveryEpoch scores the test split per epoch; without data.validation the metrics are as before', async () => {
  const every = await train(config(0.25, true), { write: false });
  for (const m of every.metrics) assert.type(m.testAccuracy, 'number');
  assert.is(every.summary.testAccuracy, every.metrics.at(-1)!.testAccuracy);
  const plain = await train(config(undefined), { write: false });
  assert.equal(Object.keys(plain.metrics[0]), [
    'epoch',
    'loss',
    'trainAccuracy',
    'testAccuracy',
    'testLoss',
    'learningRate',
    'samplesPerSec',
    'seconds',
    'workers',
  ]);
  assert.not.ok('testLoss' in plain.summary, 'the summary keeps its keys without a validation split');
  const error = await userErrorOf(train(config(0.001), { write: false }));
  assert.match(error.message, 'leaves no validation rows');
});

s.run();
