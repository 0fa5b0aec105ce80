import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { resolveClassWeights } from '../../src/train/class-weights.ts';

const s = suite('train.classWeights: given, or "balanced" from the training labels');

// Labels: class 0 ×6, class 1 ×3, class 2 ×1 (n = 10, 3 classes): n / (3 · n_c) = [10/18, 10/9, 10/3].
const labels = Float32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 1, 2);

s('balanced: n / (classes · n_c), so each class weighs the same in an epoch and the mean weight is 1', () => {
  const weights = resolveClassWeights('balanced', 'softmax-cross-entropy', labels, 3)!;
  [10 / 18, 10 / 9, 10 / 3].forEach((w, c) => assert.ok(Math.abs(weights[c] - w) < 1e-6, `class ${c}: ${weights[c]}`));
  const perClass = [6, 3, 1].map((n, c) => n * weights[c]);
  perClass.forEach((total) => assert.ok(Math.abs(total - 10 / 3) < 1e-5));
  const mean = Array.from(labels, (c) => weights[c]).reduce((a, b) => a + b, 0) / labels.length;
  assert.ok(Math.abs(mean - 1) < 1e-6);
});

// Two samples, both class 0, of 2 classes: class 0 gets 2 / (2 · 2) = 0.5, class 1 (never seen) 0.
s('balanced: a class with no training sample gets weight 0', () => {
  const weights = resolveClassWeights('balanced', 'softmax-cross-entropy', Float32Array.of(0, 0), 2)!;
  assert.equal(Array.from(weights), [0.5, 0]);
});

s('an explicit array is used as given; none means no weights', () => {
  assert.equal(Array.from(resolveClassWeights([1, 2.5, 0], 'softmax-cross-entropy', labels, 3)!), [1, 2.5, 0]);
  assert.is(resolveClassWeights(undefined, 'mse', labels, 3), null);
});

s('errors name train.classWeights: wrong count, or a loss other than softmax-cross-entropy', () => {
  const message = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.instance(error, UserError);
      return (error as Error).message;
    }
    throw new Error('no error');
  };
  assert.is(
    message(() => resolveClassWeights([1, 2], 'softmax-cross-entropy', labels, 3)),
    '2 class weights but the data has 3 classes: give one per class\n  → at train.classWeights',
  );
  assert.match(
    message(() => resolveClassWeights('balanced', 'mse', labels, 3)),
    /softmax-cross-entropy only; model.loss is "mse"\n {2}→ at train.classWeights/,
  );
});

s.run();
