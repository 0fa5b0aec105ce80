/**
 * The `csv` source: comma-separated numbers, one column of which holds the label (a class index
 * ≥ 0), optionally under a header line. Lines may end in \n or \r\n; one trailing newline is fine;
 * the file may be gzipped. No quoting: every cell must be a number (header names may be quoted).
 * classes = max label + 1 over the train and test files. Errors name the file, the line and the
 * column (both 1-based, as editors show them; `labelColumn` itself is a 0-based index).
 */
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import type { Dataset, Split } from './types.ts';
import { readMaybeGzip } from './read.ts';
import type { CsvConfig } from './schema.ts';
import { allRows, seededSplit, testRowsFor, type Table } from './split.ts';
import { checkRows, classCount } from './validate.ts';

export interface CsvTable extends Table {
  labels: Float64Array;
}

/** Parses a CSV file into a checked Table of features and labels. */
export function readCsv(path: string, labelColumn: number | string, header: boolean): CsvTable {
  const text = readMaybeGzip(path)
    .toString('utf8')
    .replace(/^\uFEFF/, ''); // a byte-order mark is not data
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const first = header ? 1 : 0;
  const count = lines.length - first;
  if (count <= 0) throw new UserError(`${path}: no data rows`);
  const width = lines[0].split(',').length;
  const names = header ? lines[0].split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1')) : [];
  const column = (c: number): string => `column ${c + 1}${header ? ` (${names[c]})` : ''}`;
  const label = labelIndex(path, labelColumn, names, width);
  const features = width - 1;
  if (features < 1) throw new UserError(`${path}: needs at least 2 columns (features and a label), found ${width}`);
  const inputs = new Float64Array(count * features);
  const labels = new Float64Array(count);
  for (let row = 0; row < count; row++) {
    const line = row + first + 1;
    const cells = lines[row + first].split(',');
    if (cells.length !== width) throw new UserError(`${path} line ${line}: ${cells.length} columns, expected ${width}`);
    let j = 0;
    for (let c = 0; c < width; c++) {
      const value = parseCell(cells[c]);
      if (value === undefined) throw new UserError(`${path} line ${line}, ${column(c)}: "${cells[c]}" is not a number`);
      if (c === label) labels[row] = value;
      else inputs[row * features + j++] = value;
    }
  }
  // Feature j sits in column j, or j + 1 once past the label column.
  const locate = (row: number, feature?: number): string =>
    `line ${row + first + 1}${feature === undefined ? '' : `, ${column(feature + (feature >= label ? 1 : 0))}`}`;
  checkRows({ file: path, inputs, labels, count, features, locate });
  return { inputs, labels, count, features };
}

/** A number, or undefined for text that is not one ("NaN" and "Infinity" parse; checkRows rejects them). */
function parseCell(cell: string): number | undefined {
  const text = cell.trim();
  const value = Number(text);
  return text === '' || (Number.isNaN(value) && text !== 'NaN') ? undefined : value;
}

function labelIndex(path: string, labelColumn: number | string, names: string[], width: number): number {
  if (typeof labelColumn === 'string') {
    const index = names.indexOf(labelColumn);
    if (index < 0) throw new UserError(`${path}: no column named "${labelColumn}" in the header (${names.join(', ')})`);
    return index;
  }
  if (labelColumn >= width)
    throw new UserError(`${path}: labelColumn is ${labelColumn} (0-based) but lines have ${width} columns`);
  return labelColumn;
}

export function loadCsv(config: CsvConfig, seed: number): Dataset {
  const divisor = config.normalize;
  const train = { ...readCsv(config.path, config.labelColumn, config.header), divisor };
  let splits: { train: Split; test: Split | null };
  let classes: number;
  if (config.testPath !== undefined) {
    const test = { ...readCsv(config.testPath, config.labelColumn, config.header), divisor };
    if (test.features !== train.features) {
      throw new UserError(
        `${config.testPath} has ${test.features + 1} columns but ${config.path} has ${train.features + 1}`,
      );
    }
    splits = { train: allRows(train), test: allRows(test) };
    classes = classCount(train.labels, test.labels);
  } else {
    const testCount = testRowsFor(config.testFraction ?? 0, train.count, config.path);
    splits =
      testCount === 0
        ? { train: allRows(train), test: null }
        : seededSplit(train, train.count - testCount, testCount, seed);
    classes = classCount(train.labels);
  }
  return { name: `csv:${basename(config.path)}`, features: train.features, classes, ...splits };
}
