/**
 * An evaluation as text for a terminal: a classifier's loss and accuracy, confusion matrix and
 * per-class table; a regressor's loss, mse, mae and R², with a per-target table.
 */
import type { Evaluation } from './evaluation.ts';
import type { RegressionEvaluation } from './regression-evaluation.ts';

/** Wider than this many classes, the matrix is left to --json and confusion.json. */
const MAX_MATRIX_CLASSES = 20;

export function evaluationText(evaluation: Evaluation | RegressionEvaluation, what: string): string {
  if (evaluation.task === 'regression') return regressionText(evaluation, what);
  const { count, correct, loss, accuracy, confusion, perClass, macro } = evaluation;
  const lines = [
    `${what}: ${count} rows`,
    `loss      ${fixed(loss, 6)}`,
    `accuracy  ${fixed(accuracy, 4)} (${correct} / ${count})`,
    '',
  ];
  const classes = confusion.classes;
  if (classes.length <= MAX_MATRIX_CLASSES) {
    lines.push('confusion matrix (rows: true class, columns: predicted class)');
    const width = Math.max(...classes.map((c) => c.length), ...confusion.matrix.flat().map((n) => String(n).length));
    const nameWidth = Math.max(...classes.map((c) => c.length));
    lines.push(' '.repeat(nameWidth) + classes.map((c) => '  ' + c.padStart(width)).join(''));
    confusion.matrix.forEach((row, i) => {
      lines.push(classes[i].padEnd(nameWidth) + row.map((n) => '  ' + String(n).padStart(width)).join(''));
    });
  } else {
    lines.push(`confusion matrix: ${classes.length} classes, too wide to print (see --json or --write)`);
  }
  lines.push('');
  const table = [
    ['class', 'support', 'precision', 'recall', 'f1'],
    ...perClass.map((c) => [c.class, String(c.support), fixed(c.precision, 4), fixed(c.recall, 4), fixed(c.f1, 4)]),
    ['macro avg', String(count), fixed(macro.precision, 4), fixed(macro.recall, 4), fixed(macro.f1, 4)],
  ];
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  for (const row of table) {
    lines.push(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  }
  const undefinedNote = perClass.some((c) => c.precision === null || c.recall === null)
    ? [
        '',
        '— : undefined (no rows predicted as the class, or none of it in the data); counted as 0 in the macro average',
      ]
    : [];
  return [...lines, ...undefinedNote].join('\n') + '\n';
}

function regressionText(evaluation: RegressionEvaluation, what: string): string {
  const { count, loss, mse, mae, r2, perTarget } = evaluation;
  const pooled = perTarget.length > 1 ? ` (pooled over the ${perTarget.length} targets: 1 − ΣSS_res / ΣSS_tot)` : '';
  const lines = [
    `${what}: ${count} rows`,
    `loss  ${fixed(loss, 6)} (½‖y − t‖² per row)`,
    `mse   ${fixed(mse, 6)}`,
    `mae   ${fixed(mae, 6)}`,
    `R²    ${fixed(r2, 6)}${pooled}`,
  ];
  if (perTarget.length > 1) {
    const table = [
      ['target', 'mse', 'mae', 'R²'],
      ...perTarget.map((t) => [t.target, fixed(t.mse, 6), fixed(t.mae, 6), fixed(t.r2, 6)]),
    ];
    const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
    lines.push('');
    for (const row of table) {
      lines.push(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
    }
  }
  return lines.join('\n') + '\n';
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '—' : value.toFixed(digits);
}
