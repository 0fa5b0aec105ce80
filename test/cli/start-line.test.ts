import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fitFields } from '../../src/cli/fit.ts';
import { describeModel, startFields, startLine } from '../../src/cli/start-line.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { StartInfo } from '../../src/train/train.ts';

const s = suite('the start line');

const config = (extra: object = {}) =>
  parseConfig({
    name: 'mnist-mlp',
    data: { source: 'mnist', train: 8000, test: 2000 },
    model: { layers: [{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 10 }] },
    train: { epochs: 16, batchSize: 100 },
    ...extra,
  });

const run: StartInfo = {
  widths: [784, 50, 50, 10],
  parameters: 39760,
  trainRows: 8000,
  testRows: 2000,
  workers: { count: 2, auto: true, why: 'auto: 23.9 MFLOP per step, all 2 cores' },
};

s('one line: model, parameters, data, batch and epochs, workers and why', () => {
  assert.is(
    startLine(config(), run, null),
    'mnist-mlp: 784-50-10 relu · 39,760 parameters · 8,000 train / 2,000 test · batch 100 × 16 epochs · ' +
      '2 workers (auto: 23.9 MFLOP per step, all 2 cores)',
  );
});

s('the model: the width after each affine layer, the other kinds of layer, a loss other than softmax', () => {
  const layers = [
    { type: 'affine', units: 64 },
    { type: 'tanh' },
    { type: 'dropout', rate: 0.2 },
    { type: 'affine', units: 64 },
    { type: 'tanh' },
    { type: 'affine', units: 1 },
  ];
  const regression = config({ model: { layers, loss: 'mse' } });
  assert.is(describeModel(regression, [3, 64, 64, 64, 64, 64, 1]), '3-64-64-1 tanh dropout mse');
});

s('resuming: where, or that nothing is left; no test split said so', () => {
  const state = { epoch: 3, stepInEpoch: 40, step: 200, lossSum: 0, correct: 0, metrics: [] };
  assert.match(startLine(config(), run, state), / · resuming at epoch 3, step 40$/);
  assert.match(startLine(config(), run, { ...state, epoch: 17 }), / · resuming: all 16 epochs already done$/);
  assert.match(startLine(config(), { ...run, testRows: 0 }, null), / · 8,000 train, no test split · /);
});

s('on a narrow terminal: the why goes first, then the parameters; the model stays', () => {
  const fields = startFields(config(), run, null);
  assert.is(
    fitFields(fields, 100, ' · '),
    'mnist-mlp: 784-50-10 relu · 39,760 parameters · 8,000 rows · 16 epochs · 2 workers (auto)',
  );
  assert.is(fitFields(fields, 60, ' · '), 'mnist-mlp: 784-50-10 relu · 8,000 rows · 16 epochs');
  assert.is(fitFields(fields, 20, ' · '), 'mnist-mlp: 784-50-1…');
});

s.run();
