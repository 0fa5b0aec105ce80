/**
 * IDX files (MNIST, Fashion-MNIST), raw or gzipped: a big-endian header — magic 0x00000803,
 * count, rows, cols for u8 images; 0x00000801, count for u8 labels — then `count` records of
 * rows × cols bytes (1 for labels). Only the header and the records asked for are read: positioned
 * reads of a raw file, or a gzip stream inflated no further than the last record needed. So a
 * 3 GB file costs what the rows a run uses cost.
 */
import { UserError } from '../errors.ts';
import { inspectFile, readChunks, withRawFile, type DataFile } from './read.ts';

export interface IdxFile extends DataFile {
  kind: 'images' | 'labels';
  count: number;
  /** Image size; 1×1 for labels. */
  rows: number;
  cols: number;
  headerBytes: number;
  /** rows × cols. */
  recordBytes: number;
}

const FORMATS = {
  images: { magic: 0x00000803, headerBytes: 16, what: 'images (u8, 3 dimensions)' },
  labels: { magic: 0x00000801, headerBytes: 8, what: 'labels (u8, 1 dimension)' },
};

/** Raw reads merge records less than this apart into one read (a read costs ~10 µs, like 16 KiB). */
const MERGE_GAP_BYTES = 1 << 14;
/** The most bytes one read of merged stretches takes. */
const MAX_READ_BYTES = 1 << 24;

/** Reads and checks the header of an IDX file (and, for a raw file, that its size matches it). */
export async function openIdx(path: string, kind: IdxFile['kind']): Promise<IdxFile> {
  const file = inspectFile(path);
  const { magic, headerBytes, what } = FORMATS[kind];
  const head = await readHead(file, headerBytes);
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  if (head.length >= 4 && view.getUint32(0) !== magic) {
    throw new UserError(
      `${path}: not an IDX ${what} file: magic number 0x${hex(view.getUint32(0))}, expected 0x${hex(magic)}`,
    );
  }
  if (head.length < headerBytes) {
    throw new UserError(`${path}: ${head.length} bytes is too short for an IDX ${what} header (${headerBytes} bytes)`);
  }
  const count = view.getUint32(4);
  const [rows, cols] = kind === 'images' ? [view.getUint32(8), view.getUint32(12)] : [1, 1];
  const idx: IdxFile = { ...file, kind, count, rows, cols, headerBytes, recordBytes: rows * cols };
  if (!file.gzip) checkLength(idx, file.size);
  if (rows * cols === 0) throw new UserError(`${path}: images of ${rows}×${cols} pixels have no pixels`);
  if (kind === 'images' && count === 0) throw new UserError(`${path}: no data rows`);
  return idx;
}

/** The first (up to) `bytes` bytes of the file's content. */
async function readHead(file: DataFile, bytes: number): Promise<Buffer> {
  if (!file.gzip) {
    const head = Buffer.alloc(bytes);
    const read = withRawFile(file.path, (readInto) => readInto(head, 0, bytes, 0));
    return head.subarray(0, read);
  }
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of readChunks(file)) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= bytes) break;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** Total bytes the header promises. */
const expectedBytes = (idx: IdxFile): number => idx.headerBytes + idx.count * idx.recordBytes;

function checkLength(idx: IdxFile, actual: number): void {
  const expected = expectedBytes(idx);
  if (actual === expected) return;
  const what = idx.kind === 'images' ? `${idx.count} images of ${idx.rows}×${idx.cols}` : `${idx.count} labels`;
  const problem = actual < expected ? 'truncated' : 'has extra bytes';
  throw new UserError(
    `${idx.path}: ${problem}: the header promises ${what} (${expected} bytes) but the data is ${actual} bytes`,
  );
}

/**
 * The records `records` (indices into the file, distinct, in any order), as one array: record
 * `records[i]` lands at i × recordBytes. A gzip file is inflated up to the last record needed;
 * when that is the file's last record, on to the end, to check the size against the header.
 */
export async function readIdxRecords(
  idx: IdxFile,
  records: ArrayLike<number>,
  /** Where to put them (default: a new array). */
  into?: Uint8Array,
): Promise<Uint8Array> {
  const out = into ?? new Uint8Array(records.length * idx.recordBytes);
  if (out.length !== records.length * idx.recordBytes) {
    throw new Error(`${out.length} bytes for ${records.length} records of ${idx.recordBytes}`);
  }
  if (records.length === 0) return out;
  const stretches = stretchesOf(idx, records);
  if (idx.gzip) await inflateStretches(idx, stretches, out);
  else readRawStretches(idx, stretches, out);
  return out;
}

/**
 * readIdxRecords again, into `into`, of a file opened earlier: refused (naming the file) when the
 * file has changed since, so the bytes are the ones the loader checked.
 */
export async function rereadIdxRecords(idx: IdxFile, records: ArrayLike<number>, into: Uint8Array): Promise<void> {
  const now = inspectFile(idx.path);
  if (now.size !== idx.size || now.mtimeMs !== idx.mtimeMs) {
    throw new UserError(`${idx.path} changed while the run was starting: run it again`);
  }
  await readIdxRecords(idx, records, into);
}

/** All the records, in file order. */
export const readAllIdxRecords = (idx: IdxFile): Promise<Uint8Array> => readIdxRecords(idx, firstRecords(idx.count));

/** 0, 1, …, count − 1. */
export function firstRecords(count: number): Uint32Array {
  const records = new Uint32Array(count);
  for (let i = 0; i < count; i++) records[i] = i;
  return records;
}

/**
 * Byte ranges to copy, in file order: `at[s]` (offset in the content) is copied to `to[s]` (offset
 * in the output), `bytes[s]` long. Records next to each other both in the file and in the output
 * make one stretch: a whole file is one.
 */
interface Stretches {
  at: Float64Array;
  to: Float64Array;
  bytes: Float64Array;
  count: number;
}

function stretchesOf(idx: IdxFile, records: ArrayLike<number>): Stretches {
  const slot = new Int32Array(idx.count).fill(-1);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!(record >= 0 && record < idx.count) || slot[record] !== -1) {
      throw new Error(`bad record list at ${i}: ${record}`);
    }
    slot[record] = i;
  }
  const n = records.length;
  const stretches = { at: new Float64Array(n), to: new Float64Array(n), bytes: new Float64Array(n), count: 0 };
  let previous = -2;
  for (let record = 0; record < idx.count; record++) {
    const i = slot[record];
    if (i < 0) continue;
    if (i === previous + 1 && slot[record - 1] === previous) stretches.bytes[stretches.count - 1] += idx.recordBytes;
    else {
      stretches.at[stretches.count] = idx.headerBytes + record * idx.recordBytes;
      stretches.to[stretches.count] = i * idx.recordBytes;
      stretches.bytes[stretches.count++] = idx.recordBytes;
    }
    previous = i;
  }
  return stretches;
}

/**
 * Positioned reads: a stretch straight into the output; stretches less than MERGE_GAP_BYTES apart
 * through one read of at most MAX_READ_BYTES.
 */
function readRawStretches(idx: IdxFile, stretches: Stretches, out: Uint8Array): void {
  const { at, to, bytes, count } = stretches;
  withRawFile(idx.path, (readInto) => {
    for (let s = 0; s < count;) {
      const first = at[s];
      let end = s + 1;
      while (end < count && at[end] - (at[end - 1] + bytes[end - 1]) <= MERGE_GAP_BYTES) {
        if (at[end] + bytes[end] - first > MAX_READ_BYTES) break;
        end++;
      }
      const length = at[end - 1] + bytes[end - 1] - first;
      const data = end === s + 1 ? out.subarray(to[s], to[s] + length) : new Uint8Array(length);
      const read = readInto(data, 0, length, first);
      if (read < length) checkLength(idx, first + read);
      if (end === s + 1) s++;
      else for (; s < end; s++) out.set(data.subarray(at[s] - first, at[s] - first + bytes[s]), to[s]);
    }
  });
}

async function inflateStretches(idx: IdxFile, stretches: Stretches, out: Uint8Array): Promise<void> {
  const { at, to, bytes, count } = stretches;
  const toTheEnd = at[count - 1] + bytes[count - 1] === expectedBytes(idx);
  let s = 0;
  let offset = 0; // bytes of content before the current chunk
  for await (const chunk of readChunks(idx)) {
    const end = offset + chunk.length;
    while (s < count && at[s] < end) {
      const from = Math.max(at[s], offset);
      const until = Math.min(at[s] + bytes[s], end);
      out.set(chunk.subarray(from - offset, until - offset), to[s] + (from - at[s]));
      if (until < at[s] + bytes[s]) break; // the stretch goes on in the next chunk
      s++;
    }
    offset = end;
    if (s === count && !toTheEnd) break;
  }
  if (s < count || toTheEnd) checkLength(idx, offset);
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');
