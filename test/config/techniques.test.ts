import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { UserError } from '../../src/errors.ts';

const s = suite('run config: schedule, classWeights, clipGradientNorm, earlyStopping');

const base = { data: { source: 'synthetic', kind: 'xor' }, model: { layers: [{ type: 'affine', units: 2 }] } };

s('every optimizer takes a schedule; the train keys are accepted with their defaults filled', () => {
  for (const type of ['sgd', 'momentum', 'adagrad', 'adam']) {
    const config = parseConfig({
      ...base,
      train: { optimizer: { type, schedule: { type: 'step', every: 3, warmup: { steps: 10 } } } },
    });
    assert.equal(config.train.optimizer.schedule, {
      type: 'step',
      every: 3,
      unit: 'epochs',
      gamma: 0.1,
      warmup: { steps: 10 },
    });
  }
  const config = parseConfig({
    ...base,
    train: { classWeights: [1, 3], clipGradientNorm: 5, earlyStopping: { patience: 2 } },
  });
  assert.equal(config.train.classWeights, [1, 3]);
  assert.is(config.train.clipGradientNorm, 5);
  assert.equal(config.train.earlyStopping, { metric: 'validationLoss', patience: 2, minDelta: 0, mode: 'auto' });
});

s('left out, they stay out: no schedule, weights, clipping or early stopping', () => {
  const { train } = parseConfig({ ...base, train: {} });
  assert.equal(Object.keys(train).sort(), ['batchSize', 'epochs', 'optimizer']);
  assert.equal(Object.keys(train.optimizer).sort(), ['learningRate', 'type', 'weightDecay']);
});

s('mistakes are errors at their path', () => {
  const cases: Array<[object, RegExp]> = [
    [
      { optimizer: { type: 'adam', schedule: { type: 'cosine', minFactor: -1 } } },
      /at train\.optimizer\.schedule\.minFactor/,
    ],
    [
      { optimizer: { type: 'sgd', schedule: { type: 'step', every: 2, gama: 0.5 } } },
      /"gama"[\s\S]*train\.optimizer\.schedule/,
    ],
    [
      { classWeights: 'equal' },
      /expected "balanced" or an array with one weight per class\n {2}→ at train\.classWeights/,
    ],
    [{ clipGradientNorm: -1 }, /at train\.clipGradientNorm/],
    [{ earlyStopping: { metric: 'testLoss' } }, /at train\.earlyStopping\.metric/],
  ];
  for (const [train, pattern] of cases) {
    try {
      parseConfig({ ...base, train });
      assert.unreachable(`accepted ${JSON.stringify(train)}`);
    } catch (error) {
      assert.instance(error, UserError);
      assert.match((error as Error).message, pattern);
    }
  }
});

s.run();
