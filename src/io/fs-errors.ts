import { UserError } from '../errors.ts';

/**
 * Errors of the machine rather than of the code (disk full, read-only file system, permissions):
 * the user gets one plain line naming the file and the cause, never a stack trace.
 */

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'file name too long',
  EFBIG: 'file too large',
};

/** The errno code of a Node file-system error (`ENOSPC`, …), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** `no space left on device (ENOSPC)`: the cause in words, then the code a search engine knows. */
export function describeCause(error: unknown): string {
  const code = errnoCode(error);
  if (code === undefined) return (error as Error).message;
  return `${CAUSES[code] ?? (error as NodeJS.ErrnoException).syscall ?? 'error'} (${code})`;
}

/**
 * Turns an errno error into `cannot <action> <path>: <cause><advice>` (a UserError, exit 1 by
 * default: the input was fine, the machine failed). Anything that is not an errno error is a bug
 * and is rethrown unchanged, stack included.
 */
export function environmentError(action: string, path: string, error: unknown, advice = '', exitCode = 1): UserError {
  if (errnoCode(error) === undefined) throw error;
  return new UserError(`cannot ${action} ${path}: ${describeCause(error)}${advice}`, exitCode);
}
