/**
 * Which columns of a CSV are features and which the label or the regression targets, from its
 * first line: header names or 0-based indices. Every column that is not the label or a target
 * is a feature, so targets and features are disjoint by construction; a target named twice, a
 * name not in the header or an index past the last column is an error naming the file.
 */
import { UserError } from '../errors.ts';

export interface CsvColumns {
  width: number;
  features: number;
  /** The label column ([index]) or the target columns, in the order the config lists them. */
  targets: number[];
  /** Per column: −1 for a feature, else its position in `targets`. */
  targetOf: Int32Array;
  regression: boolean;
  /** "column 3 (petal_length)" or "column 3". */
  name: (column: number) => string;
  /** The header name of a column, or "column 3". */
  label: (column: number) => string;
  /** Feature j's column name. */
  featureName: (feature: number) => string;
}

export interface ColumnChoice {
  labelColumn?: number | string;
  targetColumns?: readonly (number | string)[];
  header: boolean;
}

export function columnsOf(path: string, line: string, choice: ColumnChoice): CsvColumns {
  const width = line.split(',').length;
  const names = choice.header ? line.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1')) : [];
  const name = (c: number) => `column ${c + 1}${names.length > 0 ? ` (${names[c]})` : ''}`;
  const regression = choice.targetColumns !== undefined;
  const wanted = choice.targetColumns ?? [choice.labelColumn ?? 0];
  const key = regression ? 'targetColumns' : 'labelColumn';
  const targets = wanted.map((column) => columnIndex(path, key, column, names, width));
  const twice = targets.find((c, i) => targets.indexOf(c) !== i);
  if (twice !== undefined) {
    throw new UserError(`${path}: targetColumns names ${name(twice)} twice\n  → at data.targetColumns`);
  }
  if (width - targets.length < 1) {
    const what = regression ? `${targets.length} target columns` : 'a label';
    throw new UserError(`${path}: needs at least 1 feature column besides ${what}, found ${width} columns`);
  }
  const targetOf = new Int32Array(width).fill(-1);
  targets.forEach((c, i) => (targetOf[c] = i));
  const featureColumns = Array.from({ length: width }, (_, c) => c).filter((c) => targetOf[c] < 0);
  return {
    width,
    features: featureColumns.length,
    targets,
    targetOf,
    regression,
    name,
    label: (c) => (names.length > 0 ? names[c] : `column ${c + 1}`),
    featureName: (j) => name(featureColumns[j]),
  };
}

function columnIndex(path: string, key: string, column: number | string, names: string[], width: number): number {
  if (typeof column === 'string') {
    const index = names.indexOf(column);
    if (index < 0) {
      throw new UserError(
        `${path}: no column named "${column}" in the header (${names.join(', ')})\n  → at data.${key}`,
      );
    }
    return index;
  }
  if (column >= width) {
    const verb = key === 'labelColumn' ? 'is' : 'has';
    throw new UserError(
      `${path}: ${key} ${verb} ${column} (0-based) but lines have ${width} columns\n  → at data.${key}`,
    );
  }
  return column;
}
