import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { environmentError, errnoCode } from './fs-errors.ts';
import { processIsGone } from './stale-temp.ts';

/**
 * One run at a time per run directory: `run.lock`, created with O_EXCL (`wx`), holds the owner's
 * pid, host and start time. A second run fails at once without touching the directory. A lock
 * whose process is gone (same host, `kill(pid, 0)` → ESRCH) is taken over with a one-line
 * message; a lock of another host cannot be checked and is never taken over.
 */

export const LOCK_NAME = 'run.lock';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** Lock files this process holds (resolved path → content), released at exit whatever the exit path. */
const held = new Map<string, string>();
process.on('exit', () => {
  for (const [path, content] of held) releaseFile(path, content);
});

/** A lock file this young with no readable owner may be a run that has created it and is writing it. */
const UNREADABLE_GRACE_MS = 10_000;

export class RunLock {
  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /**
   * Takes the lock of `dir` or throws `✖ <display> is in use by pid N` (exit 2). `onTakeOver`
   * receives the one-line message when a stale lock is replaced.
   */
  static acquire(
    dir: string,
    display = dir,
    onTakeOver: (message: string) => void = (message) => process.stderr.write(message + '\n'),
  ): RunLock {
    const path = resolve(dir, LOCK_NAME);
    const content = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }) + '\n';
    let previous: LockOwner | null | undefined;
    // A few rounds: each lost race (a lock that vanished, or that another run took over first) is one round.
    for (let round = 0; round < 5; round++) {
      if (createExclusive(path, content, display)) {
        held.set(path, content);
        if (previous !== undefined) onTakeOver(takeOverMessage(display, previous));
        return new RunLock(path, content);
      }
      const seen = readIfPresent(path, display);
      if (seen === null) continue;
      const owner = parseOwner(seen);
      const busy = holderMessage(path, display, owner);
      if (busy) throw new UserError(busy);
      if (setAside(path, seen, display)) previous = owner;
    }
    throw new UserError(`${display}: could not take ${LOCK_NAME}: other runs keep taking it; try again`);
  }

  /** Removes the lock file if it is still this lock's (idempotent). */
  release(): void {
    if (held.get(this.path) !== this.content) return;
    held.delete(this.path);
    releaseFile(this.path, this.content);
  }
}

/**
 * Why `dir` cannot be used now (`✖ runs/x is in use by pid 1234 …`), or null if its lock is free or
 * stale. Reads only: the check made before a directory is touched.
 */
export function lockHolder(dir: string, display = dir): string | null {
  const path = resolve(dir, LOCK_NAME);
  const seen = readIfPresent(path, display);
  return seen === null ? null : holderMessage(path, display, parseOwner(seen));
}

function holderMessage(path: string, display: string, owner: LockOwner | null): string | null {
  const file = join(display, LOCK_NAME);
  if (owner === null) {
    const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age < UNREADABLE_GRACE_MS ? `${display} is in use by a run that is starting (${file})` : null;
  }
  const since = `since ${owner.started} (${file})`;
  if (owner.host !== hostname()) {
    return (
      `${display} is in use by pid ${owner.pid} on host ${owner.host} ${since}; ` +
      `if that run is gone, delete ${file}`
    );
  }
  // Our own pid: held if this process holds it; otherwise a lock of an earlier process that had our pid.
  const alive = owner.pid === process.pid ? held.has(path) : !processIsGone(owner.pid);
  return alive ? `${display} is in use by pid ${owner.pid} ${since}` : null;
}

function takeOverMessage(display: string, previous: LockOwner | null): string {
  return previous
    ? `${display}: taking over the lock of pid ${previous.pid} (started ${previous.started}), ` +
        'which is no longer running'
    : `${display}: taking over an unreadable ${LOCK_NAME} left by a run that never finished starting`;
}

/** Creates the lock file with O_EXCL; false if it exists. */
function createExclusive(path: string, content: string, display: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw environmentError('lock', display, error);
  }
  try {
    writeSync(fd, content);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw environmentError('lock', display, error);
  }
  closeSync(fd);
  return true;
}

function readIfPresent(path: string, display: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw environmentError('read the lock of', display, error);
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    const ok = Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.started === 'string';
    return ok ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

/**
 * Moves a stale lock out of the way, if it is still the one we judged stale. Renaming is atomic:
 * of two runs taking over the same stale lock, the second renames the first one's fresh lock, sees
 * it is not the stale one, and links it back. Returns true if the stale lock is gone.
 */
function setAside(path: string, stale: string, display: string): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw environmentError('take over the stale lock of', display, error);
  }
  let moved: string;
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    return false; // cannot happen unless someone removes it by hand: count it as a lost race
  }
  if (moved !== stale) {
    try {
      linkSync(aside, path);
    } catch {
      // A third run created a lock meanwhile: it holds the directory now.
    }
  }
  rmSync(aside, { force: true });
  return moved === stale;
}

function releaseFile(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) rmSync(path, { force: true });
  } catch {
    // Gone already, or unreadable: nothing of ours to remove.
  }
}
