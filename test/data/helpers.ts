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

/** Runs `fn` (sync or async), asserts it throws a UserError, and returns the message. */
export async function userErrorOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${String(error)}`);
    return (error as UserError).message;
  }
  assert.unreachable('expected a UserError, nothing was thrown');
  return '';
}

/** An IDX images file: magic 0x00000803, then count, rows, cols (big-endian), then the pixels. */
export function idxImages(count: number, rows: number, cols: number, pixels: ArrayLike<number>): Uint8Array {
  const header = new DataView(new ArrayBuffer(16));
  [0x803, count, rows, cols].forEach((value, i) => header.setUint32(4 * i, value));
  return Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(pixels)]);
}

/** An IDX labels file: magic 0x00000801, count, then the labels. */
export function idxLabels(labels: ArrayLike<number>): Uint8Array {
  const header = new DataView(new ArrayBuffer(8));
  header.setUint32(0, 0x801);
  header.setUint32(4, labels.length);
  return Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(labels)]);
}
