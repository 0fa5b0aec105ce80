/**
 * Rows from a JSON file: an array of rows (`[[5.1, 3.5, 1.4, 0.2], …]`), or an object
 * `{"rows": [[…], …], "labels": [0, 2, …]}` (labels: class indices or names; eval needs them).
 * Read whole; errors name the file and the line the row starts on.
 */
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../../errors.ts';
import { BlockBuilder, type InputBlock, type ReadOptions } from './blocks.ts';
import type { OpenedInput } from './open.ts';

export async function* readJsonBlocks(input: OpenedInput, options: ReadOptions): AsyncGenerator<InputBlock> {
  const { path } = input;
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of input.chunks) text += decoder.write(chunk);
  text = (text + decoder.end()).replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`✖ not valid JSON: ${(error as Error).message} → at ${path}`);
  }
  const { rows, labels: given, targets, rowLines, labelLines, targetLines } = partsOf(parsed, text, path);
  const regression = options.targetColumns !== undefined;
  const width = regression ? options.targetColumns!.length : 0;
  if (regression && given) throw new UserError(`✖ a regressor takes "targets", not "labels" → at ${path}`);
  if (!regression && targets) throw new UserError(`✖ a classifier takes "labels", not "targets" → at ${path}`);
  const labels = regression ? null : given;
  if (options.labels === 'required' && !(regression ? targets : labels)) {
    const key = regression ? 'targets' : 'labels';
    throw new UserError(`✖ no ${key}: evaluating needs {"rows": [...], "${key}": [...]} → at ${path}`);
  }
  if (targets && targets.length !== rows.length) {
    throw new UserError(`✖ ${targets.length} targets for ${rows.length} rows → at ${path}:${targetLines[0] ?? 1}`);
  }
  if (labels && labels.length !== rows.length) {
    throw new UserError(`✖ ${labels.length} labels for ${rows.length} rows → at ${path}:${labelLines[0] ?? 1}`);
  }
  const where = (i: number) => `${path}:${rowLines[i] ?? 1}`;
  const builder = new BlockBuilder(options, where, labels !== null, targets ? width : 0);
  for (let i = 0; i < rows.length; i++) {
    const row = flatRow(rows[i], options);
    if (!row) {
      const nested = options.shape?.length === 3 ? ` (a flat row, or nested as ${dims(options.shape)})` : '';
      const takes = `the model takes ${options.features} features${nested}`;
      throw new UserError(`✖ row ${i} is ${describeRow(rows[i], options.shape)}; ${takes} → at ${where(i)}`);
    }
    const values = builder.row();
    for (let j = 0; j < row.length; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number')
        throw new UserError(`✖ row ${i}, feature ${j}: ${JSON.stringify(v)} is not a number → at ${where(i)}`);
      values[j] = v;
    }
    if (targets) readTarget(targets[i], builder.targetRow(), `${path}:${targetLines[i] ?? 1}`, i);
    const label: unknown = labels?.[i];
    if (labels && typeof label !== 'number' && typeof label !== 'string') {
      throw new UserError(`✖ label ${i} is ${JSON.stringify(label)}, not a class → at ${path}:${labelLines[i] ?? 1}`);
    }
    const block = builder.commit(i, label as number | string | undefined);
    if (block) yield block;
  }
  const last = builder.flush();
  if (last) yield last;
}

/**
 * A row's values: a flat row of the model's features, or an image nested as the model's
 * [channels][height][width] (what numpy's or PyTorch's `tolist()` gives), read channel-major as
 * training stores it. Null when it is neither.
 */
function flatRow(row: unknown, options: ReadOptions): unknown[] | null {
  if (!Array.isArray(row)) return null;
  // Nested first: an image of [c, 1, 1] nests c one-value arrays, as long as a flat row.
  const shape = options.shape;
  if (shape?.length === 3 && nestedAs(row, shape)) return row.flat(shape.length - 1);
  return row.length === options.features ? row : null;
}

function nestedAs(value: unknown, shape: readonly number[]): boolean {
  if (shape.length === 0) return !Array.isArray(value);
  if (!Array.isArray(value) || value.length !== shape[0]) return false;
  return value.every((part) => nestedAs(part, shape.slice(1)));
}

const dims = (shape: readonly number[]) => shape.map((n) => `[${n}]`).join('');

/**
 * `4 values`; a nested row by the lengths of its first elements, `nested as [3][8][5]`, and where
 * it stops matching the model's shape when those agree (`but its [2][7] holds 5 values`).
 */
function describeRow(row: unknown, shape: readonly number[] | undefined): string {
  if (!Array.isArray(row)) return `a ${typeOf(row)}`;
  if (!Array.isArray(row[0])) return `${row.length} values`;
  const lengths: number[] = [];
  for (let part: unknown = row; Array.isArray(part); part = part[0]) lengths.push(part.length);
  const ragged = shape && lengths.join() === shape.join() ? firstMismatch(row, shape, '') : null;
  return `nested as ${dims(lengths)}${ragged ? `, but its ${ragged}` : ''}`;
}

/** Where `value` first differs from `shape`: `[2][7] holds 5 values`, `[0][1][3] is a string`. */
function firstMismatch(value: unknown, shape: readonly number[], at: string): string | null {
  if (shape.length === 0) return Array.isArray(value) ? `${at} is an array` : null;
  if (!Array.isArray(value)) return `${at} is a ${typeOf(value)}`;
  if (value.length !== shape[0]) return `${at} holds ${value.length} values`;
  for (let k = 0; k < value.length; k++) {
    const found = firstMismatch(value[k], shape.slice(1), `${at}[${k}]`);
    if (found) return found;
  }
  return null;
}

/** Target i: a number (one output) or an array of one number per output. */
function readTarget(value: unknown, out: Float64Array, where: string, i: number): void {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (values.length !== out.length) {
    throw new UserError(
      `✖ target ${i} has ${values.length} values; the model gives ${out.length} outputs → at ${where}`,
    );
  }
  values.forEach((v, j) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new UserError(`✖ target ${i}: ${JSON.stringify(v)} is not a finite number → at ${where}`);
    }
    out[j] = v;
  });
}

function partsOf(parsed: unknown, text: string, path: string) {
  const arrays = elementLines(text);
  if (Array.isArray(parsed)) {
    const rowLines = arrays[0] ?? [];
    return { rows: parsed as unknown[], labels: null, targets: null, rowLines, labelLines: [], targetLines: [] };
  }
  // Else an object: only text that starts with `[` or `{` is read as JSON (input/open.ts kindOf).
  const object = parsed as Record<string, unknown>;
  const unknown = Object.keys(object).filter((key) => !['rows', 'labels', 'targets'].includes(key));
  if (unknown.length > 0) {
    throw new UserError(`✖ unknown key "${unknown[0]}" (expected rows, and labels or targets) → at ${path}`);
  }
  if (!Array.isArray(object.rows)) throw new UserError(`✖ "rows" must be an array of rows → at ${path}`);
  for (const key of ['labels', 'targets']) {
    if (object[key] !== undefined && !Array.isArray(object[key])) {
      throw new UserError(`✖ "${key}" must be an array → at ${path}`);
    }
  }
  // The arrays directly inside the object, in the text's order (which Object.keys keeps for these keys).
  const order = Object.keys(object).filter((key) => Array.isArray(object[key]));
  const linesOf = (key: string) => arrays[1 + order.indexOf(key)] ?? [];
  return {
    rows: object.rows,
    labels: (object.labels as unknown[] | undefined) ?? null,
    targets: (object.targets as unknown[] | undefined) ?? null,
    rowLines: linesOf('rows'),
    labelLines: linesOf('labels'),
    targetLines: linesOf('targets'),
  };
}

/**
 * For the top-level array (entry 0) or each array directly inside the top-level object (entries
 * 1, 2, … in text order): the line on which each element starts. A small scan of the JSON text
 * (strings and nesting), since JSON.parse keeps no positions.
 */
function elementLines(text: string): number[][] {
  const found: number[][] = [];
  const stack: { array: boolean; lines: number[] | null }[] = [];
  let line = 1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    const top = stack[stack.length - 1];
    if (expectElement && top?.array && c !== ']') top.lines?.push(line);
    expectElement = false;
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      const tracked = c === '[' && (stack.length === 0 || (stack.length === 1 && !stack[0].array));
      const lines = tracked ? [] : null;
      if (lines) found[stack.length === 0 ? 0 : Math.max(1, found.length)] = lines;
      stack.push({ array: c === '[', lines });
      expectElement = c === '[';
    } else if (c === ']' || c === '}') stack.pop();
    else if (c === ',') expectElement = top?.array ?? false;
  }
  return found;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
