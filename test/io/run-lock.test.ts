import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as batchMain } from '../../src/cli/batch.ts';
import { UserError } from '../../src/errors.ts';
import { train } from '../../src/index.ts';
import { RunDirectory } from '../../src/io/run-dir.ts';
import { runMain } from '../support/cli.ts';
import { configFile, deadPid, finished, fixture, snapshot, startNode, tempRoot, waitForOutput } from './helpers.ts';

/**
 * One run at a time per directory (issue 10, defect 2): run.lock, held by real processes here. A
 * second run fails at once touching nothing; a lock whose process is gone is taken over; the lock
 * is released however the run ends, short of being killed. Child processes only where the test
 * needs another live or killed process, or a process's exit; the rest runs in this process.
 */
const s = suite('run directory: lock');
const root = tempRoot('shardprop-lock-');
let dirs = 0;
const fresh = (): string => join(root, `d${++dirs}`);
const claimer = (mode: string, dir: string, force = false) =>
  startNode([fixture('claim.ts'), mode, dir, ...(force ? ['force'] : [])]);

function claimError(dir: string, force: boolean): UserError {
  try {
    RunDirectory.claim(dir, force).release();
  } catch (error) {
    assert.instance(error, UserError, `expected a UserError, got ${(error as Error).stack}`);
    return error as UserError;
  }
  assert.unreachable(`claim of ${dir} succeeded`);
  throw new Error('unreachable');
}

/** What `action` writes to this process's stderr (where a take-over is reported), kept off the real one. */
function stderrOf(action: () => void): string {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = (chunk: string | Uint8Array) => ((text += chunk), true);
  try {
    action();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

function assertNoStack(stderr: string): void {
  assert.not.match(stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace:\n${stderr}`);
}

/** A small config whose run takes a second or two. */

s(
  'a directory a live run holds: a second claim fails at once, "<dir> is in use by pid N", touching nothing',
  async () => {
    const dir = fresh();
    const holder = claimer('hold', dir);
    const done = finished(holder);
    try {
      await waitForOutput(holder, 'claimed');
      const before = snapshot(dir);
      for (const force of [true, false]) {
        const error = claimError(dir, force);
        assert.ok(error.message.startsWith(`${dir} is in use by pid ${holder.pid} since `), error.message);
        assert.is(error.exitCode, 2);
      }
      // The CLI, as a user meets it: exit 2, one ✖ line, no stack, and still nothing touched.
      const cli = await runMain(batchMain, [configFile(root, dir), '--force']);
      assert.is(cli.code, 2, cli.stderr);
      assert.ok(cli.stderr.startsWith(`✖ ${dir} is in use by pid ${holder.pid}`), cli.stderr);
      assertNoStack(cli.stderr);
      assert.is(cli.stdout, '');
      assert.equal(snapshot(dir), before);
    } finally {
      holder.kill('SIGKILL');
      await done;
    }
  },
);

s('a holder killed with SIGKILL leaves a stale lock: the next run takes it over, saying so in one line', async () => {
  const dir = fresh();
  const holder = claimer('hold', dir);
  const done = finished(holder);
  await waitForOutput(holder, 'claimed');
  holder.kill('SIGKILL');
  await done;
  assert.ok(existsSync(join(dir, 'run.lock')), 'a killed run cannot remove its lock');
  // The next run is this process (a lock released at a process's exit: the last test).
  const told = stderrOf(() => {
    const next = RunDirectory.claim(dir, true);
    next.writeJson('config.json', { by: process.pid });
    next.release();
  });
  const line = `${dir}: taking over the lock of pid ${holder.pid} (started `;
  assert.ok(told.startsWith(line), told);
  assert.ok(told.endsWith('), which is no longer running\n'), told);
  assert.is(told.split('\n').length, 2, 'one line');
  assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), { by: process.pid }, 'the new run wrote');
  assert.not.ok(existsSync(join(dir, 'run.lock')), 'released');
});

s('a lock naming a dead pid of this host is taken over; one of another host never is', async () => {
  const dir = fresh();
  mkdirSync(dir);
  const pid = deadPid();
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
  const told = stderrOf(() => RunDirectory.claim(dir, false).release());
  assert.is(
    told,
    `${dir}: taking over the lock of pid ${pid} (started 2026-01-01T00:00:00.000Z), which is no longer running\n`,
  );
  assert.not.ok(existsSync(join(dir, 'run.lock')), 'released');

  const remote = fresh();
  mkdirSync(remote);
  const lock = JSON.stringify({ pid, host: 'elsewhere', started: '2026-01-01T00:00:00.000Z' });
  writeFileSync(join(remote, 'run.lock'), lock);
  const lockFile = join(remote, 'run.lock');
  assert.is(
    claimError(remote, true).message,
    `${remote} is in use by pid ${pid} on host elsewhere since 2026-01-01T00:00:00.000Z (${lockFile}); ` +
      `if that run is gone, delete ${lockFile}`,
  );
  assert.is(readFileSync(join(remote, 'run.lock'), 'utf8'), lock);
});

s('an unreadable lock is a run that is starting for 10 s, then a stale one', () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.lock'), '');
  assert.match(claimError(dir, false).message, `${dir} is in use by a run that is starting`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(join(dir, 'run.lock'), old, old);
  RunDirectory.claim(dir, false).release();
  assert.not.ok(existsSync(join(dir, 'run.lock')));
});

s('three runs started at once into one directory (over a stale lock): exactly one gets it', async () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), started: 'then' }));
  const children = [0, 1, 2].map(() => claimer('hold', dir, true));
  const results = children.map((child) => finished(child));
  const winner = await Promise.race(children.map((child) => waitForOutput(child, 'claimed').then(() => child)));
  for (const child of children) if (child !== winner) assert.is((await results[children.indexOf(child)]).code, 2);
  // A loser names the winner, or, if it read the lock between the winner's exclusive create and
  // its write of the owner (an empty file), says a run is starting: both are the winner.
  const named = new RegExp(`is in use by (pid ${winner.pid} |a run that is starting)`);
  for (const child of children)
    if (child !== winner) assert.match((await results[children.indexOf(child)]).stderr, named);
  winner.kill('SIGKILL');
  await Promise.all(results);
});

s(
  'a process that ends without releasing its lock (a user error, exit 2; an uncaught exception) releases it at exit',
  async () => {
    for (const [mode, code] of [
      ['user-error', 2],
      ['throw', 1],
    ] as const) {
      const dir = fresh();
      const result = await finished(claimer(mode, dir));
      assert.is(result.code, code, `${mode}: ${result.stderr}`);
      assert.ok(existsSync(join(dir, 'config.json')), `${mode}: claimed`);
      assert.not.ok(existsSync(join(dir, 'run.lock')), `${mode}: lock released`);
    }
  },
);

s('train() releases the lock when it fails: the same process can claim the directory again', async () => {
  const dir = fresh();
  const diverging = {
    data: { source: 'synthetic' as const, kind: 'spiral' as const, n: 300 },
    model: { layers: [{ type: 'affine' as const, units: 3 }], loss: 'mse' as const },
    train: { epochs: 2, batchSize: 300, optimizer: { type: 'sgd' as const, learningRate: 1e30 } },
    parallel: { workers: 1, chunks: 2 },
    output: { dir },
  };
  let failed = false;
  try {
    await train(diverging);
  } catch (error) {
    failed = error instanceof UserError && /diverged/.test(error.message);
  }
  assert.ok(failed, 'the run diverged');
  assert.not.ok(existsSync(join(dir, 'run.lock')));
  RunDirectory.claim(dir, true).release();
});

s.run();
