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
  const { rows, labels, rowLines, labelLines } = partsOf(parsed, text, path);
  if (options.labels === 'required' && !labels) {
    throw new UserError(`✖ no labels: evaluating needs {"rows": [...], "labels": [...]} → at ${path}`);
  }
  if (labels && labels.length !== rows.length) {
    throw new UserError(`✖ ${labels.length} labels for ${rows.length} rows → at ${path}:${labelLines[0] ?? 1}`);
  }
  const where = (i: number) => `${path}:${rowLines[i] ?? 1}`;
  const builder = new BlockBuilder(options, where, labels !== null);
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

function partsOf(parsed: unknown, text: string, path: string) {
  const arrays = elementLines(text);
  if (Array.isArray(parsed))
    return { rows: parsed as unknown[], labels: null, rowLines: arrays[0] ?? [], labelLines: [] };
  if (typeof parsed !== 'object' || parsed === null) {
    throw new UserError(
      `✖ expected an array of rows or {"rows": [...], "labels": [...]}, got a ${typeOf(parsed)} → at ${path}`,
    );
  }
  const object = parsed as Record<string, unknown>;
  const unknown = Object.keys(object).filter((key) => key !== 'rows' && key !== 'labels');
  if (unknown.length > 0) throw new UserError(`✖ unknown key "${unknown[0]}" (expected rows and labels) → at ${path}`);
  if (!Array.isArray(object.rows)) throw new UserError(`✖ "rows" must be an array of rows → at ${path}`);
  if (object.labels !== undefined && !Array.isArray(object.labels))
    throw new UserError(`✖ "labels" must be an array → at ${path}`);
  // The arrays directly inside the object, in the text's order (which Object.keys keeps for these keys).
  const order = Object.keys(object).filter((key) => Array.isArray(object[key]));
  const linesOf = (key: string) => arrays[1 + order.indexOf(key)] ?? [];
  return {
    rows: object.rows,
    labels: (object.labels as unknown[] | undefined) ?? null,
    rowLines: linesOf('rows'),
    labelLines: linesOf('labels'),
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
