/** Shared by the data tests: throw-away files and catching the UserError a loader throws. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';

/** A fresh directory under the OS temp dir, removed when the process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardprop-data-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to dir/name and returns the path. */
export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs `fn`, asserts it throws a UserError, and returns the message. */
export function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${String(error)}`);
    return (error as UserError).message;
  }
  assert.unreachable('expected a UserError, nothing was thrown');
  return '';
}
