/**
 * Reading data files, raw or gzipped (detected by the gzip magic bytes 1f 8b, not by the name),
 * a chunk at a time: a file is never held whole, so its size is bounded by the rows a run asks
 * for, not by Node's 2 GiB file read, 4 GiB buffer or 512 MB string limits. A consumer that has
 * what it needs stops early (`break`): the gzip data after that point is never inflated.
 * Raw files can also be read at byte positions (withRawFile), for the rows a split picks.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.ts';

/** Bytes per chunk read from the file (and per chunk of inflated output). */
export const CHUNK_BYTES = 1 << 20;

export interface DataFile {
  path: string;
  gzip: boolean;
  /** Bytes on disk (for a gzip file, the compressed size). */
  size: number;
  /** Last modified, to tell that a file read again is the same (idx-file.ts rereadIdxRecords). */
  mtimeMs: number;
}

/** Opens `path` just long enough to learn its size and whether it is gzipped. */
export function inspectFile(path: string): DataFile {
  return withFile(path, (fd) => {
    const magic = Buffer.alloc(2);
    const read = readSync(fd, magic, 0, 2, 0);
    const { size, mtimeMs } = fstatSync(fd);
    return { path, gzip: read === 2 && magic[0] === 0x1f && magic[1] === 0x8b, size, mtimeMs };
  });
}

/**
 * Reads `length` bytes from byte `position` of an open raw file into `target` at `offset`;
 * returns how many were read (fewer only at the end of the file).
 */
export type ReadInto = (target: Uint8Array, offset: number, length: number, position: number) => number;

/** Runs `use` with a positioned reader of a raw file, closing the file afterwards. */
export function withRawFile<T>(path: string, use: (readInto: ReadInto) => T): T {
  return withFile(path, (fd) =>
    use((target, offset, length, position) => {
      let done = 0;
      while (done < length) {
        // One read(2) moves at most ~2 GiB.
        const read = readSync(fd, target, offset + done, Math.min(length - done, 1 << 30), position + done);
        if (read === 0) break;
        done += read;
      }
      return done;
    }),
  );
}

/** The file's content (inflated if gzipped) in chunks of at most `chunkBytes`. */
export async function* readChunks(file: DataFile, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const source = createReadStream(file.path, { highWaterMark: chunkBytes });
  const stream = file.gzip ? source.pipe(createGunzip({ chunkSize: Math.max(chunkBytes, 64) })) : source;
  if (stream !== source) source.on('error', (error) => stream.destroy(error));
  try {
    for await (const chunk of stream) {
      // zlib's chunkSize has a floor of 64 bytes; split so that consumers see the size asked for.
      for (let at = 0; at < chunk.length; at += chunkBytes) yield chunk.subarray(at, at + chunkBytes);
    }
  } catch (error) {
    throw readError(file, error as NodeJS.ErrnoException);
  } finally {
    source.destroy();
    stream.destroy();
  }
}

/** A read or inflate failure, named for what it is. */
function readError(file: DataFile, error: NodeJS.ErrnoException): Error {
  if (error instanceof UserError) return error;
  const code = error.code ?? '';
  if (code === 'Z_BUF_ERROR') {
    return new UserError(`${file.path}: the gzip data ends early (${error.message}): the file is truncated`);
  }
  if (code.startsWith('Z_')) return new UserError(`${file.path}: bad gzip data (${error.message})`);
  if (code.startsWith('E')) return new UserError(`cannot read ${file.path}: ${error.message}`);
  return error;
}

function withFile<T>(path: string, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return use(fd);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
