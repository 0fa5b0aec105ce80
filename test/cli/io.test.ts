import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isScript, runCommand, userPath, workingDir } from '../../src/cli/io.ts';
import { UserError } from '../../src/errors.ts';
import { fakeIo, repoRoot } from '../support/cli.ts';

/** What every command shares: exit codes and error lines, and where relative paths point. */
const s = suite('command runner');

s('a body that returns nothing exits 0; a returned code is kept', async () => {
  assert.is(await runCommand(fakeIo().io, async () => {}), 0);
  assert.is(await runCommand(fakeIo().io, async () => 1), 1);
});

s('a UserError becomes its ✖ lines on stderr and its exit code (2 unless it says otherwise)', async () => {
  const { io, stdout, stderr } = fakeIo();
  const code = await runCommand(io, async () => {
    throw new UserError('bad thing → at x');
  });
  assert.is(code, 2);
  assert.is(stderr(), '✖ bad thing → at x\n');
  assert.is(stdout(), '');
  const diverged = fakeIo();
  const one = await runCommand(diverged.io, async () => {
    throw new UserError('✖ already marked', 1);
  });
  assert.is(one, 1);
  assert.is(diverged.stderr(), '✖ already marked\n');
});

s('an error of the system (a real failed open) is one ✖ line naming the call and the path, exit 1', async () => {
  const { io, stderr } = fakeIo();
  const missing = join(repoRoot, 'no', 'such', 'file');
  const code = await runCommand(io, async () => void readFileSync(missing));
  assert.is(code, 1);
  assert.is(stderr(), `✖ open failed: no such file or directory (ENOENT) → at ${missing}\n`);
});

s('anything else is a bug: thrown on, stack and all', async () => {
  const { io, stderr } = fakeIo();
  await runCommand(io, async () => {
    throw new TypeError('x is undefined');
  }).then(
    () => assert.unreachable('resolved'),
    (error) => assert.instance(error, TypeError),
  );
  assert.is(stderr(), '');
});

s('relative paths resolve against INIT_CWD when npm set it, else against the working directory', () => {
  const viaNpm = fakeIo({ cwd: '/pkg', env: { INIT_CWD: '/home/me/exp' } }).io;
  assert.is(workingDir(viaNpm), '/home/me/exp');
  assert.is(userPath(viaNpm, 'cfg.json'), '/home/me/exp/cfg.json');
  assert.is(userPath(viaNpm, '../data/x.csv'), '/home/me/data/x.csv');
  assert.is(userPath(viaNpm, '/abs/cfg.json'), '/abs/cfg.json');
  const direct = fakeIo({ cwd: '/somewhere', env: {} }).io;
  assert.is(userPath(direct, 'cfg.json'), '/somewhere/cfg.json');
  // Where the user's directory is this process's own, the path stays as typed (messages show it so).
  const here = fakeIo({ cwd: process.cwd(), env: { INIT_CWD: process.cwd() } }).io;
  assert.is(userPath(here, 'data/configs/mnist-mlp.json'), 'data/configs/mnist-mlp.json');
});

s('isScript is true only for the module node was started with', () => {
  assert.ok(isScript(new URL(`file://${process.argv[1]}`).href));
  assert.not.ok(isScript(new URL('../../src/cli/batch.ts', import.meta.url).href));
});

s.run();
