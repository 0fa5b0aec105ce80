/**
 * The lines of a text file, raw or gzipped, decoded as UTF-8 a chunk at a time: a CSV of any size
 * is never one string (V8 strings stop at ~512 MB). Lines end in \n or \r\n; a byte-order mark at
 * the start is dropped; the empty piece after a final newline is not a line.
 */
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors.ts';
import { CHUNK_BYTES, readChunks, type DataFile } from './read.ts';

/** A longer line is refused: not a table of numbers (and near the string limit). */
export const MAX_LINE_CHARS = 1 << 26;

export async function* readLines(file: DataFile, chunkBytes = CHUNK_BYTES): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let start = true;
  let line = 0;
  for await (const chunk of readChunks(file, chunkBytes)) {
    let text = carry + decoder.write(chunk);
    if (start && text.length > 0) {
      text = text.replace(/^\uFEFF/, ''); // a byte-order mark is not data
      start = false;
    }
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const piece of lines) yield withoutCr(piece);
    line += lines.length;
    if (carry.length > MAX_LINE_CHARS) {
      throw new UserError(`${file.path} line ${line + 1}: longer than ${MAX_LINE_CHARS} characters`);
    }
  }
  const last = carry + decoder.end();
  if (last !== '') yield withoutCr(last);
}

const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);
