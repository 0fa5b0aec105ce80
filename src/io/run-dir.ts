import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

/**
 * The run directory. It is claimed only after the config and the data have been validated, and
 * an existing run is never overwritten without `force`. Files are replaced atomically (write to a
 * temporary name, then rename), so a crash never leaves half a weights file.
 */
export class RunDirectory {
  private constructor(readonly path: string) {}

  static claim(path: string, force: boolean): RunDirectory {
    if (existsSync(path)) {
      if (!statSync(path).isDirectory()) throw new UserError(`output.dir ${path} exists and is not a directory`);
      const entries = readdirSync(path);
      if (entries.length > 0 && !force)
        throw new UserError(`output.dir ${path} already holds a run; pass --force to replace it`);
      // Only ever delete what looks like one of our runs, even with --force.
      if (entries.length > 0 && !entries.includes('config.json')) {
        throw new UserError(
          `output.dir ${path} is not empty and holds no shardprop run (no config.json); refusing to delete it`,
        );
      }
      for (const entry of entries) rmSync(join(path, entry), { recursive: true, force: true });
    }
    mkdirSync(path, { recursive: true });
    return new RunDirectory(path);
  }

  writeAtomic(name: string, content: string | Uint8Array): void {
    const target = join(this.path, name);
    const temporary = `${target}.tmp-${process.pid}`;
    writeFileSync(temporary, content);
    renameSync(temporary, target);
  }

  writeJson(name: string, value: unknown): void {
    this.writeAtomic(name, JSON.stringify(value, null, 2) + '\n');
  }

  appendLine(name: string, value: unknown): void {
    appendFileSync(join(this.path, name), JSON.stringify(value) + '\n');
  }
}
