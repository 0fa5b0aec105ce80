/**
 * Where predictions go, whole or not at all: a file is written under a temporary name beside it,
 * fsynced and renamed over the target only once every row is done (a bad row, a full disk or a
 * kill leaves any earlier file as it was); stdout gets nothing until every row is done.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.ts';
import { syncDirectory, temporaryName } from '../io/atomic-write.ts';
import { environmentError } from '../io/fs-errors.ts';

export interface TextSink {
  write(text: string): void;
  /** Makes everything written visible at once. */
  commit(): void;
  /** Drops everything written (safe to call after commit: then it does nothing). */
  abort(): void;
}

const FLUSH_BYTES = 1 << 20;

/** A sink into `path` (its parent directories are created). */
export function fileSink(path: string): TextSink {
  if (fs.statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`✖ --out is a directory; give a file name → at ${path}`);
  }
  const temporary = temporaryName(path);
  let fd: number | undefined;
  let pending: string[] = [];
  let pendingBytes = 0;
  let done = false;
  const discard = () => {
    if (fd !== undefined) closeQuietly(fd);
    fd = undefined;
    fs.rmSync(temporary, { force: true });
    done = true;
  };
  // Opening fails on the user's path (exit 2); writing on the machine (a full disk: exit 1).
  const fail = (error: unknown, exitCode = 1) => {
    discard();
    return environmentError('write', path, error, '', exitCode);
  };
  try {
    fs.mkdirSync(dirname(path), { recursive: true });
    fd = fs.openSync(temporary, 'w', 0o644);
  } catch (error) {
    throw fail(error, 2);
  }
  const flush = () => {
    const bytes = Buffer.from(pending.join(''));
    pending = [];
    pendingBytes = 0;
    try {
      for (let at = 0; at < bytes.length;) at += fs.writeSync(fd!, bytes, at, bytes.length - at);
    } catch (error) {
      throw fail(error);
    }
  };
  return {
    write(text) {
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= FLUSH_BYTES) flush();
    },
    commit() {
      flush();
      try {
        fs.fsyncSync(fd!);
        fs.closeSync(fd!);
        fd = undefined;
        fs.renameSync(temporary, path);
      } catch (error) {
        throw fail(error);
      }
      done = true;
      syncDirectory(dirname(path));
    },
    abort() {
      if (!done) discard();
    },
  };
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already failing: the first error is the one worth reporting.
  }
}

/** A sink that holds the text and writes it to `out` on commit. */
export function bufferedSink(out: { write(text: string): unknown }): TextSink {
  let parts: string[] = [];
  return {
    write: (text) => void parts.push(text),
    commit() {
      out.write(parts.join(''));
      parts = [];
    },
    abort() {
      parts = [];
    },
  };
}
