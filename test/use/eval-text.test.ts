import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluationText } from '../../src/use/eval-text.ts';
import type { Evaluation } from '../../src/use/evaluation.ts';
import type { RegressionEvaluation } from '../../src/use/regression-evaluation.ts';

/** What `npm run eval` prints on a terminal (src/use/eval-text.ts), for evaluations written by hand. */
const s = suite('eval text');

s('a classifier: loss, accuracy, the matrix, the per-class table; an undefined precision is — with a note', () => {
  // 4 rows: two of class a (both predicted a), two of b (one predicted a, one b); nothing predicted c,
  // and no row of c: its precision, recall and f1 are undefined.
  const evaluation: Evaluation = {
    task: 'classification',
    count: 4,
    loss: 0.5,
    correct: 3,
    accuracy: 0.75,
    confusion: {
      classes: ['a', 'b', 'c'],
      matrix: [
        [2, 0, 0],
        [1, 1, 0],
        [0, 0, 0],
      ],
    },
    perClass: [
      { class: 'a', support: 2, predicted: 3, precision: 2 / 3, recall: 1, f1: 0.8 },
      { class: 'b', support: 2, predicted: 1, precision: 1, recall: 0.5, f1: 2 / 3 },
      { class: 'c', support: 0, predicted: 0, precision: null, recall: null, f1: null },
    ],
    macro: { precision: 5 / 9, recall: 0.5, f1: 22 / 45 },
  };
  assert.is(
    evaluationText(evaluation, 'test split'),
    [
      'test split: 4 rows',
      'loss      0.500000',
      'accuracy  0.7500 (3 / 4)',
      '',
      'confusion matrix (rows: true class, columns: predicted class)',
      '   a  b  c',
      'a  2  0  0',
      'b  1  1  0',
      'c  0  0  0',
      '',
      'class      support  precision  recall      f1',
      'a                2     0.6667  1.0000  0.8000',
      'b                2     1.0000  0.5000  0.6667',
      'c                0          —       —       —',
      'macro avg        4     0.5556  0.5000  0.4889',
      '',
      '— : undefined (no rows predicted as the class, or none of it in the data); counted as 0 in the macro average',
      '',
    ].join('\n'),
  );
});

s('more than 20 classes: the matrix is not printed, the table is', () => {
  const classes = Array.from({ length: 21 }, (_, i) => `k${i}`);
  const evaluation: Evaluation = {
    task: 'classification',
    count: 21,
    loss: 0,
    correct: 21,
    accuracy: 1,
    confusion: { classes, matrix: classes.map((_, i) => classes.map((_, j) => (i === j ? 1 : 0))) },
    perClass: classes.map((c) => ({ class: c, support: 1, predicted: 1, precision: 1, recall: 1, f1: 1 })),
    macro: { precision: 1, recall: 1, f1: 1 },
  };
  const text = evaluationText(evaluation, 'rows.csv');
  assert.ok(text.includes('\nconfusion matrix: 21 classes, too wide to print (see --json or --write)\n'), text);
  assert.ok(text.includes('\nk20              1     1.0000  1.0000  1.0000\n'), text);
  assert.not.ok(text.includes('undefined'), 'every metric is defined: no note');
});

s('a regressor: loss, mse, mae and R²; with several targets the R² is pooled and each target has a row', () => {
  const one: RegressionEvaluation = {
    task: 'regression',
    count: 10,
    loss: 0.125,
    mse: 0.25,
    mae: 0.4,
    r2: 0.9,
    perTarget: [{ target: 'y', mse: 0.25, mae: 0.4, r2: 0.9 }],
  };
  assert.is(
    evaluationText(one, 'test split'),
    'test split: 10 rows\nloss  0.125000 (½‖y − t‖² per row)\nmse   0.250000\nmae   0.400000\nR²    0.900000\n',
  );
  const two: RegressionEvaluation = {
    ...one,
    perTarget: [
      { target: 'price', mse: 0.1, mae: 0.3, r2: 0.95 },
      { target: 'y2', mse: 0.4, mae: 0.5, r2: -1.5 },
    ],
  };
  const lines = evaluationText(two, 'test split').split('\n');
  assert.is(lines[4], 'R²    0.900000 (pooled over the 2 targets: 1 − ΣSS_res / ΣSS_tot)');
  assert.equal(lines.slice(5), [
    '',
    'target       mse       mae         R²',
    'price   0.100000  0.300000   0.950000',
    'y2      0.400000  0.500000  -1.500000',
    '',
  ]);
});

s.run();
