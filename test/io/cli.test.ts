import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/batch.ts';
import { runMain, type CommandResult } from '../support/cli.ts';
import { configFile, deadPid, snapshot, tempRoot } from './helpers.ts';
import { BATCH_RUN_LISTING } from '../support/run-listing.ts';

/**
 * The run-directory defects of issue 10 as a user meets them: `npm run batch` through its main(argv,
 * io) in this process (its spawned smoke test is in test/train/cli.test.ts).
 */
const s = suite('batch CLI: run directory');
const root = tempRoot('shardprop-rundir-cli-');

const batch = (...args: string[]): Promise<CommandResult> => runMain(main, args);

function assertUserError(result: CommandResult, message: string): void {
  assert.is(result.code, 2, result.stderr);
  assert.is(result.stderr, `✖ ${message}\n`);
  assert.is(result.stdout, '');
}

s("the issue's victim: `--out victim --force` refuses, and .git/ and src/ survive", async () => {
  const victim = join(root, 'victim');
  mkdirSync(join(victim, 'src'), { recursive: true });
  mkdirSync(join(victim, '.git'));
  writeFileSync(join(victim, 'config.json'), '{}');
  writeFileSync(join(victim, 'src', 'a.c'), 'x');
  const before = snapshot(victim);
  const result = await batch(configFile(root, 'unused'), '--out', victim, '--force');
  assertUserError(
    result,
    `output.dir ${victim} is not empty and is not a shardprop run directory; choose another --out`,
  );
  assert.equal(snapshot(victim), before);
});

s('--out below a regular file: one ✖ line naming the file, exit 2, no stack', async () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  const result = await batch(configFile(root, join(file, 'b')));
  assertUserError(result, `cannot create output.dir ${join(file, 'b')}: ${file} is a file`);
});

s(
  'a run killed while writing config.json left config.json.tmp-PID: the rerun trains, the stray file is gone',
  async () => {
    const out = join(root, 'dead-end');
    mkdirSync(out);
    writeFileSync(join(out, `config.json.tmp-${deadPid()}`), '{"trunc');
    const result = await batch(configFile(root, out));
    assert.is(result.code, 0, result.stderr);
    assert.equal(readdirSync(out).sort(), BATCH_RUN_LISTING);
    assert.not.ok(existsSync(join(out, 'run.lock')));
  },
);

s.run();
