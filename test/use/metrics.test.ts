import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EvaluationAccumulator, classIndices } from '../../src/use/evaluation.ts';
import { argmaxInto, classMetrics, macroAverage, softmaxInto } from '../../src/use/metrics.ts';
import { userErrorOf } from './helpers.ts';

/** Confusion matrix, precision, recall and F1 against values worked out by hand. */
const s = suite('classification metrics');

const close = (a: number | null, b: number, what: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

s('precision, recall and F1 per class, from a confusion matrix (rows true, columns predicted)', () => {
  // a: 4 rows, 3 right, 1 called b. b: 4 rows, 2 right, 2 called c. c: 1 row, called a.
  const metrics = classMetrics({
    classes: ['a', 'b', 'c'],
    matrix: [
      [3, 1, 0],
      [0, 2, 2],
      [1, 0, 0],
    ],
  });
  assert.equal(
    metrics.map((m) => [m.class, m.support, m.predicted]),
    [
      ['a', 4, 4],
      ['b', 4, 3],
      ['c', 1, 2],
    ],
  );
  close(metrics[0].precision, 3 / 4, 'precision a');
  close(metrics[0].recall, 3 / 4, 'recall a');
  close(metrics[0].f1, 3 / 4, 'f1 a');
  close(metrics[1].precision, 2 / 3, 'precision b');
  close(metrics[1].recall, 1 / 2, 'recall b');
  close(metrics[1].f1, (2 * (2 / 3) * (1 / 2)) / (2 / 3 + 1 / 2), 'f1 b is the harmonic mean');
  close(metrics[2].precision, 0, 'precision c');
  close(metrics[2].recall, 0, 'recall c');
  close(metrics[2].f1, 0, 'f1 c');
  const macro = macroAverage(metrics);
  close(macro.precision, (3 / 4 + 2 / 3 + 0) / 3, 'macro precision');
  close(macro.recall, (3 / 4 + 1 / 2 + 0) / 3, 'macro recall');
  close(macro.f1, (3 / 4 + 4 / 7 + 0) / 3, 'macro f1');
});

s(
  'a class never predicted has no precision; a class absent everywhere has none of the three and no macro weight',
  () => {
    // x: 2 rows, both called y. y: 2 rows, right. z: no rows, never predicted.
    const metrics = classMetrics({
      classes: ['x', 'y', 'z'],
      matrix: [
        [0, 2, 0],
        [0, 2, 0],
        [0, 0, 0],
      ],
    });
    assert.is(metrics[0].precision, null);
    assert.is(metrics[0].recall, 0);
    assert.is(metrics[0].f1, 0);
    assert.equal([metrics[2].precision, metrics[2].recall, metrics[2].f1], [null, null, null]);
    const macro = macroAverage(metrics);
    close(macro.precision, (0 + 1 / 2) / 2, 'macro precision counts x as 0, leaves z out');
    close(macro.recall, (0 + 1) / 2, 'macro recall');
    close(macro.f1, (0 + 2 / 3) / 2, 'macro f1');
  },
);

s('the predicted class is the first of equal largest outputs, as training counts accuracy', () => {
  const out = new Int32Array(3);
  argmaxInto([1, 3, 3, 0, -1, -1, 5, 5, 5], 3, 3, out);
  assert.equal(Array.from(out), [1, 0, 0]);
});

s('softmax is stable for large logits and matches exp(x − max) / Σ', () => {
  const out = new Float32Array(6);
  softmaxInto([1000, 999, 0, -3, 0, 3], 2, 3, out);
  const e = [1, Math.exp(-1), Math.exp(-1000)];
  const sum = e[0] + e[1] + e[2];
  assert.equal(
    Array.from(out.subarray(0, 3)),
    e.map((v) => Math.fround(v / sum)),
  );
  const f = [Math.exp(-6), Math.exp(-3), 1];
  const total = f[0] + f[1] + f[2];
  assert.equal(
    Array.from(out.subarray(3)),
    f.map((v) => Math.fround(v / total)),
  );
});

s('an evaluation adds block loss sums in order and counts the confusion matrix', () => {
  const accumulator = new EvaluationAccumulator(['0', '1']);
  accumulator.add([2, 1, 0, 3], [0, 0], 2, 0.5);
  accumulator.add([5, -1], [1], 1, 0.25);
  const result = accumulator.result();
  assert.is(result.count, 3);
  assert.is(result.loss, 0.75 / 3);
  assert.is(result.correct, 1);
  assert.equal(result.confusion.matrix, [
    [1, 1],
    [1, 0],
  ]);
});

s('labels: indices, digit strings, or class names when the model has them; anything else names the row', async () => {
  const out = new Float32Array(3);
  classIndices([2, '0', ' 1 '], 0, 3, ['0', '1', '2'], false, (i) => `row ${i}`, out);
  assert.equal(Array.from(out), [2, 0, 1]);
  classIndices(['setosa', 'virginica'], 0, 2, ['setosa', 'versicolor', 'virginica'], true, (i) => `${i}`, out);
  assert.equal(Array.from(out.subarray(0, 2)), [0, 2]);
  const bad = await userErrorOf(() => classIndices([0, 1.5], 0, 2, ['0', '1'], false, (i) => `data.csv:${i + 2}`, out));
  assert.match(bad.message, 'label 1.5 is not a class index from 0 to 1 → at data.csv:3');
  const unknown = await userErrorOf(() => classIndices(['rose'], 0, 1, ['setosa'], true, () => 'x.json:4', out));
  assert.match(unknown.message, 'label "rose" is not one of setosa → at x.json:4');
});

s.run();
