import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.ts';

/**
 * Writes a file whole or not at all: the text goes to a temporary name beside the target, then
 * is renamed over it, so a full disk or a kill mid-write never leaves half a report (an older
 * report stays as it was). Missing parent directories are created.
 */
export function writeFileAtomic(path: string, text: string): void {
  if (isDirectory(path)) throw new UserError(`✖ cannot write the report: a directory has that name → at ${path}`);
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a parent of it is a file, not a directory' : code;
    throw new UserError(`✖ cannot write the report (${why}) → at ${path}`);
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written there (e.g. the parent is a file): nothing to clean up.
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing, or below a file: the write below reports it
  }
}
