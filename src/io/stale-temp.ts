import { readdirSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from './fs-errors.ts';

/**
 * Temporary files left by a process that was killed (or hit a full disk) mid-write. Writers name
 * them with their pid (`model.safetensors.tmp-1234`, `mnist-v1.bin.1234.1700000000000.tmp`), so a
 * file whose process is gone can be removed safely.
 */

/** True if no process `pid` runs on this machine (`kill(pid, 0)` fails with ESRCH). */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errnoCode(error) === 'ESRCH';
  }
}

/**
 * Removes the files in `dir` whose names match `pattern` (its first group is the writer's pid) and
 * whose writer is gone, or is this process: call it before this process starts its own writes, as
 * writes here are synchronous and never leave their temporary file behind while the process lives
 * (a container restarted with the same pid must not keep the old file forever). Returns the names
 * removed (regular files only; `pattern` must not be global). A missing `dir` has nothing to clean.
 * Example, for the MNIST cache:
 * `removeStaleTempFiles(cacheDir, /^mnist-v1\.bin\.(\d+)\.\d+\.tmp$/)`.
 */
export function removeStaleTempFiles(
  dir: string,
  pattern: RegExp,
  isStale: (pid: number) => boolean = (pid) => pid === process.pid || processIsGone(pid),
): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const name = entry.name;
    if (!entry.isFile()) continue;
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || !isStale(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
