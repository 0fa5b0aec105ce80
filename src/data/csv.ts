/**
 * The `csv` source: comma-separated numbers, one column of which holds the label (a class index
 * ≥ 0), optionally under a header line. Lines may end in \n or \r\n; one trailing newline is fine;
 * the file may be gzipped, and of any size: it is read line by line (lines.ts). No quoting: every
 * cell must be a number (header names may be quoted). classes = max label + 1 over the train and
 * test files, unless `classes` is stated. Errors name the file, the line and the column (both
 * 1-based, as editors show them; `labelColumn` itself is a 0-based index).
 */
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { assembleDataset } from './assemble.ts';
import { dataArenaBytes, dataTooBig } from './budget.ts';
import { resolveClasses } from './classes.ts';
import { readLines } from './lines.ts';
import { inspectFile } from './read.ts';
import type { CsvConfig } from './schema.ts';
import { seededSplit, testRowsFor, type RawRows } from './split.ts';
import type { Dataset } from './types.ts';
import { checkRows, type Locate } from './validate.ts';

export interface CsvTable extends RawRows {
  inputs: Float64Array;
  features: number;
  /** Names row `row` (0-based) and, optionally, feature `feature` for messages: "line 3, column 2 (b)". */
  locate: Locate;
  /** Names feature j: "column 2 (b)". */
  featureName: (feature: number) => string;
}

export interface CsvReadOptions {
  labelColumn: number | string;
  header: boolean;
  /** Data bytes (budget.ts) the rows may take; more is an error naming the file. */
  maxBytes: number;
  /** The config key naming this file, for that error. */
  field: string;
  /** Rows count as test rows (no order entry: budget.ts); else as training rows, a bound for both. */
  testRows?: boolean;
  chunkBytes?: number;
}

/** Parses a CSV file into a checked table of features and labels. */
export async function readCsv(path: string, options: CsvReadOptions): Promise<CsvTable> {
  const { header, maxBytes, field } = options;
  let shape: { width: number; label: number; names: string[] } | null = null;
  let rows = new Rows(0);
  let lineNumber = 0;
  for await (const line of readLines(inspectFile(path), options.chunkBytes)) {
    lineNumber++;
    if (shape === null) {
      shape = tableShape(path, line, options);
      rows = new Rows(shape.width - 1);
      if (header) continue;
    }
    const cells = line.split(',');
    if (cells.length !== shape.width) {
      throw new UserError(`${path} line ${lineNumber}: ${cells.length} columns, expected ${shape.width}`);
    }
    const [trainRows, testRows] = options.testRows ? [0, rows.count + 1] : [rows.count + 1, 0];
    const size = { features: rows.features, trainRows, testRows };
    if (dataArenaBytes(size) > maxBytes) {
      const advice = `only the first ${rows.count} rows fit: use a smaller file`;
      throw dataTooBig(size, maxBytes, `data ${path} (at line ${lineNumber})`, advice, field);
    }
    const row = rows.add();
    for (let c = 0, j = 0; c < shape.width; c++) {
      const value = parseCell(cells[c]);
      if (value === undefined) {
        throw new UserError(`${path} line ${lineNumber}, ${column(shape, c)}: "${cells[c]}" is not a number`);
      }
      if (c === shape.label) rows.labels[row] = value;
      else rows.inputs[row * rows.features + j++] = value;
    }
  }
  if (shape === null || rows.count === 0) throw new UserError(`${path}: no data rows`);
  const { label, names } = shape;
  const first = header ? 2 : 1;
  // Feature j sits in column j, or j + 1 once past the label column.
  const featureName = (feature: number): string => column({ names }, feature + (feature >= label ? 1 : 0));
  const locate: Locate = (row, feature) =>
    `line ${row + first}${feature === undefined ? '' : `, ${featureName(feature)}`}`;
  const table = { ...rows.done(), features: rows.features, locate, featureName };
  checkRows({ file: path, ...table });
  return table;
}

/** Rows of a table of unknown length, in arrays that grow by half when full. */
class Rows {
  inputs = new Float64Array(0);
  labels = new Float64Array(0);
  count = 0;
  constructor(readonly features: number) {}

  /** Makes room for one more row and returns its index. */
  add(): number {
    if (this.count === this.labels.length) {
      const capacity = Math.max(1024, Math.ceil(this.count * 1.5));
      const inputs = new Float64Array(capacity * this.features);
      inputs.set(this.inputs);
      const labels = new Float64Array(capacity);
      labels.set(this.labels);
      [this.inputs, this.labels] = [inputs, labels];
    }
    return this.count++;
  }

  done(): { inputs: Float64Array; labels: Float64Array; count: number } {
    const { count, features } = this;
    return { inputs: this.inputs.subarray(0, count * features), labels: this.labels.subarray(0, count), count };
  }
}

/** Width, label column and names, from the first line. */
function tableShape(path: string, line: string, options: CsvReadOptions) {
  const width = line.split(',').length;
  const names = options.header ? line.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1')) : [];
  const label = labelIndex(path, options.labelColumn, names, width);
  if (width < 2) throw new UserError(`${path}: needs at least 2 columns (features and a label), found ${width}`);
  return { width, label, names };
}

const column = (shape: { names: string[] }, c: number): string =>
  `column ${c + 1}${shape.names.length > 0 ? ` (${shape.names[c]})` : ''}`;

/** A number, or undefined for text that is not one ("NaN" and "Infinity" parse; checkRows rejects them). */
function parseCell(cell: string): number | undefined {
  const text = cell.trim();
  const value = Number(text);
  return text === '' || (Number.isNaN(value) && text !== 'NaN') ? undefined : value;
}

function labelIndex(path: string, labelColumn: number | string, names: string[], width: number): number {
  if (typeof labelColumn === 'string') {
    const index = names.indexOf(labelColumn);
    if (index < 0) {
      throw new UserError(`${path}: no column named "${labelColumn}" in the header (${names.join(', ')})`);
    }
    return index;
  }
  if (labelColumn >= width) {
    throw new UserError(`${path}: labelColumn is ${labelColumn} (0-based) but lines have ${width} columns`);
  }
  return labelColumn;
}

export async function loadCsv(config: CsvConfig, seed: number, maxBytes: number): Promise<Dataset> {
  const options = { labelColumn: config.labelColumn, header: config.header };
  const train = await readCsv(config.path, { ...options, maxBytes, field: 'data.path' });
  let splits: { train: RawRows; test: RawRows | null };
  const labelFiles = [{ file: config.path, labels: train.labels, locate: train.locate }];
  if (config.testPath !== undefined) {
    const left = maxBytes - dataArenaBytes({ features: train.features, trainRows: train.count, testRows: 0 });
    const test = await readCsv(config.testPath, { ...options, maxBytes: left, field: 'data.testPath', testRows: true });
    if (test.features !== train.features) {
      throw new UserError(
        `${config.testPath} has ${test.features + 1} columns but ${config.path} has ${train.features + 1}`,
      );
    }
    splits = { train, test };
    labelFiles.push({ file: config.testPath, labels: test.labels, locate: test.locate });
  } else {
    const testCount = testRowsFor(config.testFraction ?? 0, train.count, config.path);
    splits =
      testCount === 0
        ? { train, test: null }
        : seededSplit(train, train.features, train.count - testCount, testCount, seed);
  }
  const classes = resolveClasses(labelFiles, config.classes);
  return assembleDataset({
    name: `csv:${basename(config.path)}`,
    features: train.features,
    classes,
    ...splits,
    normalize: config.normalize,
    featureName: train.featureName,
  });
}
