import * as fs from 'node:fs';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { nodeFs, type WriteFs } from '../../src/io/atomic-write.ts';
import { RunDirectory } from '../../src/io/run-dir.ts';
import { tempRoot } from './helpers.ts';

/**
 * Writes into the run directory are atomic and durable, and a full disk is a clean error (issue 10,
 * defect 4): ENOSPC from the kernel (/dev/full) and through the file-system seam of RunDirectory.
 */
const s = suite('run directory: atomic, durable writes');
const root = tempRoot('shardprop-write-');
let dirs = 0;
const fresh = (): string => join(root, `d${++dirs}`);

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: simulated`), { code });

/** node:fs whose writes fail with ENOSPC once `budget` bytes have been written (after writing what fits). */
function diskWithRoom(): WriteFs & { budget: number } {
  const disk = {
    ...nodeFs,
    budget: Infinity,
    writeSync(fd: number, bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
      if (disk.budget <= 0) throw errno('ENOSPC');
      const written = fs.writeSync(fd, bytes, offset, Math.min(length, disk.budget));
      disk.budget -= written;
      return written;
    },
  };
  return disk as WriteFs & { budget: number };
}

function errorOf(action: () => void): UserError {
  try {
    action();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${(error as Error).stack}`);
    return error as UserError;
  }
  assert.unreachable('no error');
  throw new Error('unreachable');
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes('.tmp-'));

s('a real ENOSPC (the temporary file is /dev/full): a UserError, the temp file gone, the old file intact', () => {
  if (!existsSync('/dev/full')) return void console.log('no /dev/full here: skipped');
  const dir = fresh();
  const run = RunDirectory.claim(dir, false);
  run.writeAtomic('model.safetensors', 'version 1');
  symlinkSync('/dev/full', join(dir, `model.safetensors.tmp-${process.pid}`));
  const error = errorOf(() => run.writeAtomic('model.safetensors', 'version 2'));
  const file = join(dir, 'model.safetensors');
  assert.is(error.message, `cannot write ${file}: no space left on device (ENOSPC); the previous ${file} is unchanged`);
  assert.is(error.exitCode, 1);
  assert.equal(temporaries(dir), []);
  assert.is(readFileSync(file, 'utf8'), 'version 1');
  run.release();
});

s('disk full half-way through a write: the same, and a later write succeeds once there is room', () => {
  const dir = fresh();
  const disk = diskWithRoom();
  const run = RunDirectory.claim(dir, false, disk);
  const version1 = new Uint8Array(1000).fill(1);
  run.writeAtomic('model.safetensors', version1);
  disk.budget = 500;
  const error = errorOf(() => run.writeAtomic('model.safetensors', new Uint8Array(1000).fill(2)));
  assert.match(error.message, `cannot write ${join(dir, 'model.safetensors')}: no space left on device (ENOSPC)`);
  assert.equal(temporaries(dir), []);
  assert.equal(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), version1);
  // A first version that never made it: no "previous version" to speak of, and no file.
  const first = errorOf(() => run.writeJson('summary.json', { epochs: 1 }));
  assert.is(first.message, `cannot write ${join(dir, 'summary.json')}: no space left on device (ENOSPC)`);
  assert.not.ok(existsSync(join(dir, 'summary.json')));
  disk.budget = Infinity;
  run.writeJson('summary.json', { epochs: 1 });
  assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), { epochs: 1 });
  run.release();
});

s('disk full while appending a metrics line: the half line is cut off, earlier lines kept', () => {
  const dir = fresh();
  const disk = diskWithRoom();
  const run = RunDirectory.claim(dir, false, disk);
  run.appendLine('metrics.jsonl', { epoch: 1, loss: 0.5 });
  const before = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  disk.budget = 7;
  const error = errorOf(() => run.appendLine('metrics.jsonl', { epoch: 2, loss: 0.25 }));
  assert.is(error.message, `cannot append to ${join(dir, 'metrics.jsonl')}: no space left on device (ENOSPC)`);
  assert.is(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), before);
  assert.is(before, '{"epoch":1,"loss":0.5}\n');
  run.release();
});

s('a failing fsync (EIO) or rename (EACCES) also leaves no temp file and the old version', () => {
  for (const [call, code, cause] of [
    ['fsyncSync', 'EIO', 'input/output error (EIO)'],
    ['renameSync', 'EACCES', 'permission denied (EACCES)'],
  ] as const) {
    const dir = fresh();
    const disk: Record<string, unknown> = { ...nodeFs };
    const run = RunDirectory.claim(dir, false, disk as unknown as WriteFs);
    run.writeJson('config.json', { version: 1 });
    disk[call] = () => {
      throw errno(code);
    };
    const error = errorOf(() => run.writeJson('config.json', { version: 2 }));
    assert.match(error.message, `cannot write ${join(dir, 'config.json')}: ${cause}; the previous`);
    assert.equal(temporaries(dir), []);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), { version: 1 });
    run.release();
  }
});

s('a bug (not an errno error) keeps its type and stack; the temp file is still removed', () => {
  const dir = fresh();
  const disk = { ...nodeFs } as Record<string, unknown>;
  const run = RunDirectory.claim(dir, false, disk as unknown as WriteFs);
  disk.writeSync = () => {
    throw new TypeError('a bug');
  };
  assert.throws(
    () => run.writeJson('config.json', {}),
    (error: Error) => error instanceof TypeError && !(error instanceof UserError),
  );
  assert.equal(temporaries(dir), []);
  run.release();
});

s('durable: temp file written, fsynced, closed, renamed over the target, then the directory fsynced', () => {
  const dir = fresh();
  const calls: string[] = [];
  const paths = new Map<number, string>();
  const name = (path: string): string => (path === dir ? 'DIR' : path.slice(dir.length + 1).replace(/\d+$/, 'PID'));
  const recording = {
    ...nodeFs,
    openSync(path: string, flags: string, mode?: number) {
      const fd = fs.openSync(path, flags, mode);
      paths.set(fd, name(path));
      calls.push(`open ${name(path)} ${flags}`);
      return fd;
    },
    writeSync(fd: number, ...rest: [Uint8Array, number, number]) {
      calls.push(`write ${paths.get(fd)}`);
      return fs.writeSync(fd, ...rest);
    },
    fsyncSync(fd: number) {
      calls.push(`fsync ${paths.get(fd)}`);
      fs.fsyncSync(fd);
    },
    closeSync(fd: number) {
      calls.push(`close ${paths.get(fd)}`);
      fs.closeSync(fd);
    },
    renameSync(from: string, to: string) {
      calls.push(`rename ${name(from)} → ${name(to)}`);
      fs.renameSync(from, to);
    },
  };
  const run = RunDirectory.claim(dir, false, recording as unknown as WriteFs);
  calls.length = 0;
  run.writeJson('config.json', { seed: 1 });
  assert.equal(calls, [
    'open config.json.tmp-PID w',
    'write config.json.tmp-PID',
    'fsync config.json.tmp-PID',
    'close config.json.tmp-PID',
    'rename config.json.tmp-PID → config.json',
    'open DIR r',
    'fsync DIR',
    'close DIR',
  ]);
  calls.length = 0;
  run.appendLine('metrics.jsonl', { epoch: 1 });
  const append = ['open metrics.jsonl a', 'write metrics.jsonl', 'fsync metrics.jsonl', 'close metrics.jsonl'];
  assert.equal(calls, [...append, 'open DIR r', 'fsync DIR', 'close DIR'], 'a new file: its directory entry too');
  calls.length = 0;
  run.appendLine('metrics.jsonl', { epoch: 2 });
  assert.equal(calls, append);
  run.release();
});

s.run();
