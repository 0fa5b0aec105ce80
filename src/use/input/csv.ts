/**
 * Rows from a CSV file, read line by line (any size): numbers separated by commas, lines ending in
 * \n or \r\n, an optional header line (told by a cell that is not a number), a byte-order mark
 * ignored. A row holds the model's features, or one more column: the label (eval needs it; predict
 * drops it). Errors name the file and line: `✖ column 3: "abc" is not a number → at data.csv:12`.
 */
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../../errors.ts';
import { BlockBuilder, type InputBlock, type ReadOptions } from './blocks.ts';
import type { OpenedInput } from './open.ts';

export async function* readCsvBlocks(input: OpenedInput, options: ReadOptions): AsyncGenerator<InputBlock> {
  const { path } = input;
  const at = (line: number) => `${path}:${line}`;
  let layout: Layout | null = null;
  let blankLine = 0;
  let builder: BlockBuilder | null = null;
  for await (const [line, text] of lines(input.chunks)) {
    if (text.trim() === '') {
      blankLine ||= line;
      continue;
    }
    if (blankLine) throw new UserError(`✖ empty line inside the data → at ${at(blankLine)}`);
    const cells = text.split(',');
    if (!layout) {
      layout = options.targetColumns ? targetLayout(cells, options, at(line)) : layoutOf(cells, options, at(line));
      builder = new BlockBuilder(options, at, layout.label >= 0, layout.targets.length);
      if (layout.header) continue;
    }
    if (cells.length !== layout.width) {
      throw new UserError(`✖ ${cells.length} columns, the first line has ${layout.width} → at ${at(line)}`);
    }
    const row = builder!.row();
    const targets = builder!.targetRow();
    const column = (c: number) => () => `column ${c + 1}${layout!.names ? ` (${layout!.names[c]})` : ''}`;
    let j = 0;
    for (let c = 0; c < cells.length; c++) {
      if (c === layout.label) continue;
      const target = layout.targets.indexOf(c);
      if (target >= 0) targets[target] = numberIn(cells[c], column(c), at(line));
      else row[j++] = numberIn(cells[c], column(c), at(line));
    }
    const label = layout.label >= 0 ? cells[layout.label].trim() : undefined;
    const block = builder!.commit(line, label);
    if (block) yield block;
  }
  if (!layout) throw new UserError(`✖ no rows in the file → at ${path}`);
  const last = builder!.flush();
  if (last) yield last;
}

interface Layout {
  readonly width: number;
  readonly header: boolean;
  readonly names: string[] | null;
  /** The label column, or -1 when rows hold only features. */
  readonly label: number;
  /** A regressor's target columns in output order (empty: none in the rows). */
  readonly targets: number[];
}

function layoutOf(cells: string[], options: ReadOptions, where: string): Layout {
  const width = cells.length;
  const { features } = options;
  const shape = `the model takes ${features} features (${features + 1} columns with a label)`;
  const names = cells.map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const isText = (c: number) => parseNumber(cells[c]) === undefined;
  if (width === features) {
    if (options.labels === 'required') {
      throw new UserError(
        `✖ ${width} columns and no label column: evaluating needs the labels; ${shape} → at ${where}`,
      );
    }
    const header = cells.some((_, c) => isText(c));
    return { width, header, names: header ? names : null, label: -1, targets: [] };
  }
  if (width !== features + 1) throw new UserError(`✖ ${width} columns: ${shape} → at ${where}`);
  const wanted = options.labelColumn ?? 0;
  const label = typeof wanted === 'number' ? wanted : names.indexOf(wanted);
  if (typeof wanted === 'number' && wanted >= width) {
    throw new UserError(`✖ label column ${wanted} (0-based) but lines have ${width} columns → at ${where}`);
  }
  if (label < 0) {
    const why = cells.some((_, c) => isText(c))
      ? `no column named "${wanted}" in (${names.join(', ')})`
      : 'no header line';
    throw new UserError(`✖ the label column "${wanted}" is not there: ${why} → at ${where}`);
  }
  // A label may be a class name; only a feature that is not a number (or a label when labels are
  // indices) makes the first line a header.
  const header =
    typeof wanted === 'string' || cells.some((_, c) => (c === label ? !options.namedLabels : true) && isText(c));
  return { width, header, names: header ? names : null, label, targets: [] };
}

/** A regressor's rows: the features alone, or the features and the target columns. */
function targetLayout(cells: string[], options: ReadOptions, where: string): Layout {
  const { features } = options;
  const wanted = options.targetColumns!;
  const width = cells.length;
  const names = cells.map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const header = cells.some((cell) => parseNumber(cell) === undefined);
  const shape = `the model takes ${features} features (${features + wanted.length} columns with its targets)`;
  if (width === features) {
    if (options.labels === 'required') {
      throw new UserError(
        `✖ ${width} columns and no target columns: evaluating needs the targets; ${shape} → at ${where}`,
      );
    }
    return { width, header, names: header ? names : null, label: -1, targets: [] };
  }
  if (width !== features + wanted.length) throw new UserError(`✖ ${width} columns: ${shape} → at ${where}`);
  const targets = wanted.map((column) => {
    const index = typeof column === 'number' ? column : header ? names.indexOf(column) : -1;
    if (index < 0 || index >= width) {
      const why = header ? `the columns are ${names.join(', ')}` : 'there is no header line';
      throw new UserError(`✖ the target column ${JSON.stringify(column)} is not there: ${why} → at ${where}`);
    }
    return index;
  });
  return { width, header, names: header ? names : null, label: -1, targets };
}

function numberIn(cell: string, column: () => string, where: string): number {
  const value = parseNumber(cell);
  if (value === undefined) throw new UserError(`✖ ${column()}: "${cell}" is not a number → at ${where}`);
  if (!Number.isFinite(value)) throw new UserError(`✖ ${column()}: ${value} is not a finite number → at ${where}`);
  return value;
}

/** A number, or undefined for text that is not one ("NaN" and "Infinity" parse, to be refused by name). */
function parseNumber(cell: string): number | undefined {
  const text = cell.trim();
  const value = Number(text);
  return text === '' || (Number.isNaN(value) && text !== 'NaN') ? undefined : value;
}

/** [line number (1-based), text] of each line; `\r\n` and a byte-order mark are handled. */
async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<[number, string]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  for await (const chunk of chunks) {
    const parts = (carry + decoder.write(chunk)).split('\n');
    carry = parts.pop()!;
    for (const part of parts) yield [++line, clean(part, line)];
  }
  carry += decoder.end();
  if (carry !== '') yield [++line, clean(carry, line)];
}

function clean(text: string, line: number): string {
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  return line === 1 ? trimmed.replace(/^\uFEFF/, '') : trimmed;
}
