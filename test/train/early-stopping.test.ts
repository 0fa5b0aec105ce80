import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { earlyStoppingSchema } from '../../src/config/techniques.ts';
import { earlyStoppingState } from '../../src/train/early-stopping.ts';

const s = suite('early stopping on crafted metric series');

const rule = (config: object) => earlyStoppingSchema.parse(config);

s('a loss that stops improving: best epoch 3, stop after `patience` epochs without improvement', () => {
  const series = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71];
  const patience3 = rule({ metric: 'validationLoss', patience: 3 });
  const states = series.map((_, e) => earlyStoppingState(series.slice(0, e + 1), patience3));
  assert.equal(
    states.map((st) => [st.bestEpoch, st.improved, st.epochsWithoutImprovement, st.stop]),
    [
      [1, true, 0, false],
      [2, true, 0, false],
      [3, true, 0, false],
      [3, false, 1, false],
      [3, false, 2, false],
      [3, false, 3, true],
    ],
  );
  assert.is(states[5].bestValue, 0.7);
});

s('minDelta: an improvement smaller than it does not count (Keras semantics)', () => {
  const series = [1.0, 0.95, 0.89, 0.88];
  const state = earlyStoppingState(series, rule({ metric: 'loss', patience: 2, minDelta: 0.1 }));
  // 0.95 and 0.89 are not below 1.0 − 0.1 = 0.9 … 0.89 is: best epoch 3; 0.88 is not below 0.79.
  assert.equal([state.bestEpoch, state.bestValue, state.epochsWithoutImprovement, state.stop], [3, 0.89, 1, false]);
  const strict = earlyStoppingState([1.0, 0.95, 0.92], rule({ metric: 'loss', patience: 2, minDelta: 0.1 }));
  assert.equal([strict.bestEpoch, strict.stop], [1, true]);
});

s('mode auto maximizes an accuracy; an explicit mode overrides it', () => {
  const accuracy = [0.5, 0.7, 0.6, 0.65];
  assert.is(earlyStoppingState(accuracy, rule({ metric: 'validationAccuracy' })).bestEpoch, 2);
  assert.is(earlyStoppingState(accuracy, rule({ metric: 'validationAccuracy', mode: 'min' })).bestEpoch, 1);
  assert.is(earlyStoppingState([3, 1, 2], rule({ metric: 'loss', mode: 'max' })).bestEpoch, 1);
});

s('a tie is no improvement: the earlier epoch stays best', () => {
  const state = earlyStoppingState([0.5, 0.4, 0.4], rule({ patience: 1 }));
  assert.equal([state.bestEpoch, state.improved, state.stop], [2, false, true]);
});

s('NaN and null (an epoch without the metric) never improve, but count toward patience', () => {
  const state = earlyStoppingState([null, NaN, 0.9, NaN, null], rule({ patience: 2 }));
  assert.equal([state.bestEpoch, state.bestValue, state.epochsWithoutImprovement, state.stop], [3, 0.9, 2, true]);
  const none = earlyStoppingState([NaN, NaN], rule({ patience: 3 }));
  assert.equal([none.bestEpoch, none.improved, none.stop], [null, false, false]);
});

s('an empty series: nothing best, no stop; schema defaults and refusals', () => {
  const state = earlyStoppingState([], rule({}));
  assert.equal([state.bestEpoch, state.improved, state.stop], [null, false, false]);
  assert.equal(rule({}), { metric: 'validationLoss', patience: 5, minDelta: 0, mode: 'auto' });
  assert.not.ok(earlyStoppingSchema.safeParse({ metric: 'testAccuracy' }).success, 'no model selection on test');
  assert.not.ok(earlyStoppingSchema.safeParse({ patience: 0 }).success);
  assert.not.ok(earlyStoppingSchema.safeParse({ minDelta: -1 }).success);
});

s.run();
