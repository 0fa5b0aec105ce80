import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { environmentError, errnoCode } from './fs-errors.ts';

/**
 * Writes that survive a crash, a power cut and a full disk:
 * - `writeFileAtomic`: temporary file, fsync, rename over the target, fsync the directory. A reader
 *   (or a rerun after kill -9) sees the old file or the whole new one, never a mix; after it
 *   returns, the new file is on disk. On any failure the temporary file is removed and the old
 *   file is left as it was.
 * - `appendDurable`: a line appended and fsynced; on failure the file is cut back to its old length,
 *   so it never ends in half a line.
 * Failures are UserErrors naming the file and the cause (`no space left on device (ENOSPC)`).
 */

/** The calls these writes make: node:fs, or (in tests) a copy of it with one call made to fail. */
export type WriteFs = Pick<
  typeof fs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'rmSync'
  | 'fstatSync'
  | 'ftruncateSync'
  | 'existsSync'
>;

export const nodeFs: WriteFs = fs;

/** The temporary name a write of `target` by this process uses; `removeStaleTempFiles` knows the pattern. */
export function temporaryName(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

export function writeFileAtomic(target: string, content: string | Uint8Array, files: WriteFs = nodeFs): void {
  const temporary = temporaryName(target);
  let fd: number | undefined;
  try {
    fd = files.openSync(temporary, 'w', 0o644);
    writeAll(files, fd, typeof content === 'string' ? Buffer.from(content) : content);
    files.fsyncSync(fd);
    files.closeSync(fd);
    fd = undefined;
    files.renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) closeQuietly(files, fd);
    removeQuietly(files, temporary);
    const kept = files.existsSync(target) ? `; the previous ${target} is unchanged` : '';
    throw environmentError('write', target, error, kept);
  }
  syncDirectory(dirname(target), files);
}

export function appendDurable(path: string, text: string, files: WriteFs = nodeFs): void {
  const created = !files.existsSync(path);
  let fd: number | undefined;
  let length: number | undefined;
  try {
    fd = files.openSync(path, 'a', 0o644);
    length = files.fstatSync(fd).size;
    writeAll(files, fd, Buffer.from(text));
    files.fsyncSync(fd);
  } catch (error) {
    if (fd !== undefined && length !== undefined) {
      try {
        files.ftruncateSync(fd, length);
      } catch {
        // Nothing more can be done here; the error below names the file.
      }
    }
    throw environmentError('append to', path, error);
  } finally {
    if (fd !== undefined) closeQuietly(files, fd);
  }
  if (created) syncDirectory(dirname(path), files);
}

/**
 * Makes a rename or a new file in `dir` durable. File systems that cannot sync a directory
 * (EINVAL, EISDIR, EPERM, ENOTSUP on some platforms) are skipped: there is nothing more to do.
 */
export function syncDirectory(dir: string, files: WriteFs = nodeFs): void {
  let fd: number | undefined;
  try {
    fd = files.openSync(dir, 'r');
    files.fsyncSync(fd);
  } catch (error) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF'].includes(errnoCode(error) ?? '')) {
      throw environmentError('sync the directory', dir, error);
    }
  } finally {
    if (fd !== undefined) closeQuietly(files, fd);
  }
}

/** writeSync may write less than asked (a full disk mid-write throws instead): loop until done. */
function writeAll(files: WriteFs, fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length;) {
    offset += files.writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

function closeQuietly(files: WriteFs, fd: number): void {
  try {
    files.closeSync(fd);
  } catch {
    // Already failing: the first error is the one worth reporting.
  }
}

function removeQuietly(files: WriteFs, path: string): void {
  try {
    files.rmSync(path, { force: true });
  } catch {
    // A temporary file that cannot be removed is cleaned when the directory is next claimed.
  }
}
