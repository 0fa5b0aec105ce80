/**
 * The `csv` source: comma-separated numbers, optionally under a header line, one column of which
 * holds the label (a class index ≥ 0, or a class name: labels.ts) — or, for a regressor, one or
 * more numeric target columns (`targetColumns`). Lines may end in \n or \r\n; one trailing
 * newline is fine; the file may be gzipped, and of any size: it is read line by line (lines.ts).
 * No quoting: every feature cell must be a number (header names and class names may be quoted).
 * Errors name the file, the line and the column (both 1-based, as editors show them;
 * `labelColumn` and `targetColumns` indices are 0-based).
 */
import { UserError } from '../errors.ts';
import { dataArenaBytes, dataTooBig } from './budget.ts';
import { columnsOf, type CsvColumns } from './csv-columns.ts';
import { classNamesOf, LabelTexts, resolveLabels } from './labels.ts';
import { readLines } from './lines.ts';
import { inspectFile } from './read.ts';
import type { RawRows } from './split.ts';
import { checkRows, type Locate } from './validate.ts';

export interface CsvTable extends RawRows {
  inputs: Float64Array;
  features: number;
  /** Names row `row` (0-based) and, optionally, feature `feature` for messages: "line 3, column 2 (b)". */
  locate: Locate;
  /** Names feature j: "column 2 (b)". */
  featureName: (feature: number) => string;
  /** Classification: the class names (labels were names), or null (labels are class indices). */
  classNames: string[] | null;
  /** Regression: the target columns' names ("column 5" without a header); null for a classifier. */
  targetNames: string[] | null;
  /** Set when one stray text made a column of numbers into class names (labels.ts classNamesOf). */
  labelWarning: string | null;
}

export interface CsvReadOptions {
  /** Classification: the label column, a 0-based index or a header name. */
  labelColumn?: number | string;
  /** Regression: the target columns (indices or header names); then `labels` holds count × targets values. */
  targetColumns?: readonly (number | string)[];
  header: boolean;
  /**
   * A test file's labels are resolved against the training file's classes: its names (or null:
   * class indices). Absent for the training file, whose own labels decide.
   */
  classNames?: readonly string[] | null;
  /** The training file, for the message about a label it does not have. */
  trainFile?: string;
  /** Data bytes (budget.ts) the rows may take; more is an error naming the file. */
  maxBytes: number;
  /** The config key naming this file, for that error. */
  field: string;
  /** Rows count as test rows (no order entry: budget.ts); else as training rows, a bound for both. */
  testRows?: boolean;
  chunkBytes?: number;
}

/** Parses a CSV file into a checked table of features and labels (or regression targets). */
export async function readCsv(path: string, options: CsvReadOptions): Promise<CsvTable> {
  const { header, maxBytes, field } = options;
  let columns: CsvColumns | null = null;
  let rows = new Rows(0, 1);
  let texts: LabelTexts | null = null;
  let lineNumber = 0;
  const first = header ? 2 : 1;
  const lineOf: Locate = (row) => `line ${row + first}`;
  for await (const line of readLines(inspectFile(path), options.chunkBytes)) {
    lineNumber++;
    if (columns === null) {
      columns = columnsOf(path, line, options);
      rows = new Rows(columns.features, columns.targets.length);
      if (columns.regression === false) texts = new LabelTexts(path, lineOf);
      if (header) continue;
    }
    const cells = line.split(',');
    if (cells.length !== columns.width) {
      throw new UserError(`${path} line ${lineNumber}: ${cells.length} columns, expected ${columns.width}`);
    }
    const [trainRows, testRows] = options.testRows ? [0, rows.count + 1] : [rows.count + 1, 0];
    const size = { features: rows.features, targets: rows.width, trainRows, testRows };
    if (dataArenaBytes(size) > maxBytes) {
      const advice = `only the first ${rows.count} rows fit: use a smaller file`;
      throw dataTooBig(size, maxBytes, `data ${path} (at line ${lineNumber})`, advice, field);
    }
    const row = rows.add();
    for (let c = 0, j = 0; c < columns.width; c++) {
      const target = columns.targetOf[c];
      if (texts && target === 0) {
        rows.labels[row] = texts.id(cells[c], row);
        continue;
      }
      const value = parseCell(cells[c]);
      if (value === undefined) {
        throw new UserError(`${path} line ${lineNumber}, ${columns.name(c)}: "${cells[c]}" is not a number`);
      }
      if (target >= 0) rows.labels[row * rows.width + target] = value;
      else rows.inputs[row * rows.features + j++] = value;
    }
  }
  if (columns === null || rows.count === 0) throw new UserError(`${path}: no data rows`);
  const done = rows.done();
  let classNames: string[] | null = null;
  let labelWarning: string | null = null;
  if (texts) {
    if (options.classNames === undefined) ({ names: classNames, warning: labelWarning } = classNamesOf(texts));
    else classNames = options.classNames && [...options.classNames];
    resolveLabels(done.labels, texts, classNames, options.trainFile ?? path);
  }
  const { featureName } = columns;
  const locate: Locate = (row, feature) =>
    `line ${row + first}${feature === undefined ? '' : `, ${featureName(feature)}`}`;
  const table = {
    ...done,
    labelWidth: rows.width,
    features: rows.features,
    locate,
    featureName,
    classNames,
    targetNames: columns.regression ? columns.targets.map((c) => columns!.label(c)) : null,
    labelWarning,
  };
  checkRows({ file: path, ...table, regression: columns.regression });
  return table;
}

/** Rows of a table of unknown length, in arrays that grow by half when full. */
class Rows {
  inputs = new Float64Array(0);
  labels = new Float64Array(0);
  count = 0;
  constructor(
    readonly features: number,
    /** Label values per row: 1, or the regression targets. */
    readonly width: number,
  ) {}

  /** Makes room for one more row and returns its index. */
  add(): number {
    if (this.count * this.width === this.labels.length) {
      const capacity = Math.max(1024, Math.ceil(this.count * 1.5));
      const inputs = new Float64Array(capacity * this.features);
      inputs.set(this.inputs);
      const labels = new Float64Array(capacity * this.width);
      labels.set(this.labels);
      [this.inputs, this.labels] = [inputs, labels];
    }
    return this.count++;
  }

  done(): { inputs: Float64Array; labels: Float64Array; count: number } {
    const { count, features, width } = this;
    return {
      inputs: this.inputs.subarray(0, count * features),
      labels: this.labels.subarray(0, count * width),
      count,
    };
  }
}

/** A number, or undefined for text that is not one ("NaN" and "Infinity" parse; checkRows rejects them). */
function parseCell(cell: string): number | undefined {
  const text = cell.trim();
  const value = Number(text);
  return text === '' || (Number.isNaN(value) && text !== 'NaN') ? undefined : value;
}
