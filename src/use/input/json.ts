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
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== options.features) {
      const got = Array.isArray(row) ? `${row.length} values` : `a ${typeOf(row)}`;
      throw new UserError(`✖ row ${i} is ${got}; the model takes ${options.features} features → at ${where(i)}`);
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
