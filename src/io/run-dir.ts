import { mkdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { appendDurable, nodeFs, writeFileAtomic, type WriteFs } from './atomic-write.ts';
import { environmentError, errnoCode } from './fs-errors.ts';
import { lockHolder, RunLock } from './run-lock.ts';
import {
  inspectDirectory,
  isRunFile,
  MARKER_NAME,
  removeLeftovers,
  removeRunFiles,
  RUN_FORMAT,
  type Contents,
} from './run-files.ts';

/**
 * The run directory. It is claimed only after the config and the data have been validated:
 * 1. a directory that is neither empty nor a run (no `run.json` marker) is refused, with or without
 *    --force; an existing run is replaced only with --force;
 * 2. `run.lock` is taken (a second run into the directory fails at once, touching nothing);
 * 3. with --force the previous run's files, and only those (run-files.ts), are removed; temporary
 *    files of killed writers are removed; the marker `run.json` is written before anything else.
 * Files are written atomically and durably (atomic-write.ts); `release()` (or the process's exit)
 * frees the lock.
 */
export class RunDirectory {
  private released = false;

  /** `files` is where writes go: node:fs, or in tests a copy with a failing call (a full disk). */
  private constructor(
    readonly path: string,
    private readonly lock: RunLock,
    private readonly files: WriteFs,
  ) {}

  static claim(path: string, force: boolean, files: WriteFs = nodeFs): RunDirectory {
    ensureDirectory(path);
    refuseUnusable(path, force, inspectDirectory(path, path), lockHolder(path));
    const lock = RunLock.acquire(path);
    try {
      // Read again under the lock: another run may have claimed the directory in between.
      const contents = inspectDirectory(path, path);
      refuseUnusable(path, force, contents, null);
      if (contents.kind === 'run') removeRunFiles(path, path);
      removeLeftovers(path);
      const directory = new RunDirectory(path, lock, files);
      const created = new Date().toISOString();
      directory.writeJson(MARKER_NAME, {
        tool: 'shardprop',
        format: RUN_FORMAT,
        created,
        pid: process.pid,
        host: hostname(),
      });
      return directory;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Takes an existing run back to continue it (resume): it must be a run, it is locked as a claim
   * is, temporary files of the interrupted writers are removed, and every result file is kept.
   */
  static reopen(path: string, files: WriteFs = nodeFs): RunDirectory {
    const contents = existsDirectory(path) ? inspectDirectory(path, path) : null;
    if (contents?.kind !== 'run') {
      const why = contents?.kind === 'foreign' ? contents.why : 'holds no run to resume';
      throw new UserError(`${path} ${contents ? why : 'does not exist'}`);
    }
    const busy = lockHolder(path);
    if (busy) throw new UserError(busy);
    const lock = RunLock.acquire(path);
    try {
      removeLeftovers(path);
      return new RunDirectory(path, lock, files);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Replaces `name` (a run file, see RUN_FILES) atomically and durably. */
  writeAtomic(name: string, content: string | Uint8Array): void {
    writeFileAtomic(this.target(name), content, this.files);
  }

  writeJson(name: string, value: unknown): void {
    this.writeAtomic(name, JSON.stringify(value, null, 2) + '\n');
  }

  /** Appends one JSON line, fsynced; a failed append leaves no half line. */
  appendLine(name: string, value: unknown): void {
    appendDurable(this.target(name), JSON.stringify(value) + '\n', this.files);
  }

  /** Removes a run file if it exists (an old checkpoint). */
  remove(name: string): void {
    try {
      rmSync(this.target(name), { force: true });
    } catch (error) {
      throw environmentError('remove', join(this.path, name), error);
    }
  }

  /** Frees the directory for the next run. Idempotent; the process's exit does it too. */
  release(): void {
    this.released = true;
    this.lock.release();
  }

  private target(name: string): string {
    // Bugs, not user errors: a file --force would not remove, or a write after the lock is gone.
    if (!isRunFile(name)) throw new Error(`${name} is not a run file: add it to RUN_FILES in src/io/run-files.ts`);
    if (this.released) throw new Error(`${this.path} was released; ${name} cannot be written`);
    const target = join(this.path, name);
    if (name.includes('/')) {
      try {
        mkdirSync(dirname(target), { recursive: true });
      } catch (error) {
        throw environmentError('create', dirname(target), error);
      }
    }
    return target;
  }
}

function refuseUnusable(path: string, force: boolean, contents: Contents, busy: string | null): void {
  if (contents.kind === 'foreign') {
    throw new UserError(`output.dir ${path} is not empty and ${contents.why}; choose another --out`);
  }
  if (contents.kind === 'run' && !force) {
    throw new UserError(busy ?? `output.dir ${path} already holds a run; pass --force to replace it`);
  }
}

function existsDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Creates `path` if needed; a file in the way is named: `cannot create output.dir a/b: a is a file`. */
function ensureDirectory(path: string): void {
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (errnoCode(error) !== 'ENOTDIR') throw environmentError('use output.dir', path, error, '', 2);
  }
  if (stats && !stats.isDirectory()) throw new UserError(`output.dir ${path} exists and is not a directory`);
  if (stats) return;
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const blocker = ['ENOTDIR', 'EEXIST'].includes(errnoCode(error) ?? '') ? fileInTheWay(path) : null;
    if (blocker) throw new UserError(`cannot create output.dir ${path}: ${blocker} is a file`);
    throw environmentError('create output.dir', path, error, '', 2);
  }
}

/** The outermost ancestor of `path` that exists and is not a directory, or null. */
function fileInTheWay(path: string): string | null {
  const ancestors: string[] = [];
  for (let p = dirname(path); ; p = dirname(p)) {
    ancestors.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const ancestor of ancestors) {
    const stats = statSync(ancestor, { throwIfNoEntry: false });
    if (stats && !stats.isDirectory()) return ancestor;
  }
  return null;
}
