import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { RunDirectory } from '../../src/io/run-dir.ts';
import { deadPid, snapshot, tempRoot } from './helpers.ts';

/**
 * Which directories a run may claim, and what --force removes: only the files a run writes, in a
 * directory marked by run.json (issue 10, defects 1 and 5, and ENOTDIR of defect 4).
 */
const s = suite('run directory: claim and --force');
const root = tempRoot();
let dirs = 0;
const fresh = (): string => join(root, `d${++dirs}`);

function claimError(path: string, force: boolean): UserError {
  try {
    RunDirectory.claim(path, force).release();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${(error as Error).stack}`);
    return error as UserError;
  }
  assert.unreachable(`claim of ${path} succeeded`);
  throw new Error('unreachable');
}

/** A finished run in `dir` as the trainer leaves it, checkpoints included. */
function finishedRun(dir: string): void {
  const run = RunDirectory.claim(dir, false);
  run.writeJson('config.json', { seed: 1 });
  run.appendLine('metrics.jsonl', { epoch: 1 });
  run.writeAtomic('model.safetensors', new Uint8Array([1, 2, 3]));
  run.writeAtomic('checkpoints/epoch-1.bin', new Uint8Array([4]));
  run.writeJson('summary.json', { epochs: 1 });
  run.release();
}

s("the issue's victim (config.json beside src/ and .git/) is refused with and without --force, untouched", () => {
  const victim = fresh();
  mkdirSync(join(victim, 'src'), { recursive: true });
  mkdirSync(join(victim, '.git'));
  writeFileSync(join(victim, 'config.json'), '{}');
  writeFileSync(join(victim, 'src', 'a.c'), 'x');
  writeFileSync(join(victim, '.git', 'HEAD'), 'ref: refs/heads/main');
  const before = snapshot(victim);
  for (const force of [true, false]) {
    const error = claimError(victim, force);
    assert.is(
      error.message,
      `output.dir ${victim} is not empty and is not a shardprop run directory; choose another --out`,
    );
    assert.is(error.exitCode, 2);
  }
  assert.equal(snapshot(victim), before);
});

s('a new directory (parents included) and an empty one are claimed; run.json marks them', () => {
  const nested = join(fresh(), 'a', 'b');
  const empty = fresh();
  mkdirSync(empty);
  for (const dir of [nested, empty]) {
    RunDirectory.claim(dir, false).release();
    assert.equal(readdirSync(dir), ['run.json']);
    const marker = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    assert.is(marker.tool, 'shardprop');
    assert.is(marker.format, 1);
    assert.is(marker.pid, process.pid);
    assert.ok(Date.now() - Date.parse(marker.created) < 60_000, marker.created);
  }
});

s('an existing run is refused without --force ("already holds a run"), untouched', () => {
  const dir = fresh();
  finishedRun(dir);
  const before = snapshot(dir);
  const error = claimError(dir, false);
  assert.is(error.message, `output.dir ${dir} already holds a run; pass --force to replace it`);
  assert.equal(snapshot(dir), before);
});

s('--force removes exactly the run files and checkpoints/, and keeps everything else', () => {
  const dir = fresh();
  finishedRun(dir);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  mkdirSync(join(dir, 'plots'));
  writeFileSync(join(dir, 'plots', 'loss.png'), 'png');
  writeFileSync(join(dir, 'config.json.bak'), 'mine too');
  const run = RunDirectory.claim(dir, true);
  assert.equal(readdirSync(dir).sort(), ['config.json.bak', 'notes.txt', 'plots', 'run.json', 'run.lock']);
  assert.is(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  assert.is(readFileSync(join(dir, 'plots', 'loss.png'), 'utf8'), 'png');
  run.release();
  assert.not.ok(existsSync(join(dir, 'run.lock')), 'released');
});

s('--force stops, removing nothing, at a run file that is a directory or a link (a run never writes those)', () => {
  const cases: [string, (path: string) => void][] = [
    ['model.safetensors', (path) => mkdirSync(path)],
    ['summary.json', (path) => symlinkSync('notes.txt', path)],
    ['checkpoints/mine', (path) => mkdirSync(path)],
  ];
  for (const [name, plant] of cases) {
    const dir = fresh();
    finishedRun(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    rmSync(join(dir, name), { force: true });
    plant(join(dir, name));
    const before = snapshot(dir);
    const error = claimError(dir, true);
    assert.match(error.message, `${join(dir, name)} is a`);
    assert.match(error.message, '--force removes only the files a run writes');
    assert.equal(snapshot(dir), before, name);
  }
});

s("a run.json that is not shardprop's is no marker; a newer format is refused", () => {
  const other = fresh();
  mkdirSync(other);
  writeFileSync(join(other, 'run.json'), '{"tool": "something-else"}');
  writeFileSync(join(other, 'config.json'), '{}');
  assert.match(claimError(other, true).message, 'is not empty and is not a shardprop run directory');
  const newer = fresh();
  finishedRun(newer);
  writeFileSync(join(newer, 'run.json'), '{"tool": "shardprop", "format": 2}');
  const before = snapshot(newer);
  assert.match(claimError(newer, true).message, 'holds a run of a newer shardprop (run.json format 2)');
  assert.equal(snapshot(newer), before);
});

s('killed while writing config.json (only config.json.tmp-PID left): the rerun claims it, no --force needed', () => {
  const dir = fresh();
  mkdirSync(dir);
  const pid = deadPid();
  writeFileSync(join(dir, `config.json.tmp-${pid}`), '{"half');
  RunDirectory.claim(dir, false).release();
  assert.equal(readdirSync(dir), ['run.json']);
});

s('killed after run.json, before any result: reclaimed without --force', () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ tool: 'shardprop', format: 1 }));
  writeFileSync(join(dir, `model.safetensors.tmp-${deadPid()}`), 'half');
  mkdirSync(join(dir, 'checkpoints'));
  RunDirectory.claim(dir, false).release();
  assert.equal(readdirSync(dir).sort(), ['checkpoints', 'run.json']);
});

s('claiming a run with --force cleans temporary files of killed writers, checkpoints/ included', () => {
  const dir = fresh();
  finishedRun(dir);
  writeFileSync(join(dir, `model.safetensors.tmp-${deadPid()}`), 'half');
  writeFileSync(join(dir, `summary.json.tmp-${process.pid}`), 'half'); // a container restarted with our pid
  writeFileSync(join(dir, `run.lock.stale-${deadPid()}`), '{}');
  writeFileSync(join(dir, `run.lock.stale-${process.ppid}`), '{}'); // a live take-over: not ours to remove
  writeFileSync(join(dir, 'checkpoints', `epoch-2.bin.tmp-${deadPid()}`), 'half');
  writeFileSync(join(dir, 'mine.tmp-1'), 'not a run file: kept');
  RunDirectory.claim(dir, true).release();
  assert.equal(readdirSync(dir).sort(), ['mine.tmp-1', 'run.json', `run.lock.stale-${process.ppid}`]);
});

s('a write the run would not remove with --force is a bug, refused before anything is written', () => {
  const dir = fresh();
  const run = RunDirectory.claim(dir, false);
  for (const name of ['notes.txt', '../escape.json', 'checkpoints/a/b.bin', 'other/x.bin']) {
    assert.throws(() => run.writeAtomic(name, 'x'), /is not a run file/, name);
  }
  run.release();
  assert.throws(() => run.writeJson('config.json', {}), /was released/);
  assert.equal(readdirSync(dir), ['run.json']);
});

s('--out below a regular file: "cannot create output.dir a/b: a is a file", exit 2', () => {
  const file = join(fresh());
  writeFileSync(file, 'x');
  for (const below of [join(file, 'b'), join(file, 'b', 'c')]) {
    const error = claimError(below, false);
    assert.is(error.message, `cannot create output.dir ${below}: ${file} is a file`);
    assert.is(error.exitCode, 2);
  }
  assert.match(claimError(file, true).message, `output.dir ${file} exists and is not a directory`);
  assert.is(readFileSync(file, 'utf8'), 'x');
});

s.run();
