/**
 * Opening an input file of rows: its bytes as a stream (gunzipped when it starts with the gzip
 * magic 1f 8b), and its kind told from the first bytes, not the name: the IDX images magic
 * 0x00000803, JSON (`[` or `{` first), or else CSV.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../errors.ts';
import { describeCause } from '../../io/fs-errors.ts';

export type InputKind = 'csv' | 'idx' | 'json';

export interface OpenedInput {
  readonly path: string;
  readonly kind: InputKind;
  readonly gzip: boolean;
  /** Every byte of the (decompressed) file, in order. */
  readonly chunks: AsyncIterable<Buffer>;
}

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export async function openInput(path: string): Promise<OpenedInput> {
  const { gzip, chunks } = await openBytes(path);
  const start = await firstBytes(path, gzip, 64);
  return { path, kind: kindOf(path, start), gzip, chunks };
}

/** The file's bytes, gunzipped if it is gzip. */
export async function openBytes(path: string): Promise<{ gzip: boolean; chunks: AsyncIterable<Buffer> }> {
  checkFile(path);
  const head = await firstBytes(path, false, 2);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return { gzip, chunks: byteStream(path, gzip) };
}

function checkFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`✖ input file not found → at ${path}`);
    throw new UserError(`✖ cannot read the input: ${describeCause(error)} → at ${path}`);
  }
  if (!stats.isFile()) throw new UserError(`✖ not a file (expected an input file of rows) → at ${path}`);
}

function kindOf(path: string, start: Buffer): InputKind {
  if (start.length >= 4) {
    const magic = start.readUInt32BE(0);
    if (magic === IDX_IMAGES_MAGIC) return 'idx';
    if (magic === IDX_LABELS_MAGIC) {
      throw new UserError(
        `✖ an IDX labels file, not images: give the images file (labels go to --labels) → at ${path}`,
      );
    }
  }
  const text = start
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('[') || text.startsWith('{')) return 'json';
  // Text has no NUL bytes; binary data of an unknown kind almost always does.
  if (start.includes(0)) {
    throw new UserError(`✖ not CSV, JSON or IDX images (binary data of an unknown kind) → at ${path}`);
  }
  return 'csv';
}

/** The first `count` bytes (fewer if the file is shorter). */
async function firstBytes(path: string, gzip: boolean, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of byteStream(path, gzip, count)) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= count) break;
  }
  return Buffer.concat(parts).subarray(0, count);
}

/** The file's bytes; a read or gzip failure is a UserError naming the file. */
async function* byteStream(path: string, gzip: boolean, highWaterMark = 1 << 20): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark });
  const stream = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on('error', (error) => stream.destroy(error));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new UserError(`✖ bad gzip data (${(error as Error).message}) → at ${path}`);
    }
    throw new UserError(`✖ cannot read the input: ${describeCause(error)} → at ${path}`);
  } finally {
    file.destroy();
    stream.destroy();
  }
}
