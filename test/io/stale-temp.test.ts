import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { processIsGone, removeStaleTempFiles } from '../../src/io/stale-temp.ts';
import { deadPid, tempRoot } from './helpers.ts';

/** Temporary files of killed writers, e.g. the MNIST cache's `mnist-v1.bin.PID.TIME.tmp` (issue 10, defect 5). */
const s = suite('stale temporary files');
const root = tempRoot('shardprop-stale-');
const mnistTemp = /^mnist-v1\.bin\.(\d+)\.\d+\.tmp$/;

s('processIsGone: false for this process and its parent, true for an exited child', () => {
  assert.is(processIsGone(process.pid), false);
  assert.is(processIsGone(process.ppid), false);
  assert.is(processIsGone(deadPid()), true);
});

s("removes the files of dead writers and this process's own; keeps a live writer's and anything else", () => {
  const cache = join(root, 'cache');
  mkdirSync(cache);
  const dead = deadPid();
  const names = {
    dead: `mnist-v1.bin.${dead}.1700000000000.tmp`,
    own: `mnist-v1.bin.${process.pid}.1700000000001.tmp`,
    live: `mnist-v1.bin.${process.ppid}.1700000000002.tmp`,
    cache: 'mnist-v1.bin',
    other: `notes.${dead}.1.tmp`,
  };
  for (const name of Object.values(names)) writeFileSync(join(cache, name), 'x');
  mkdirSync(join(cache, `mnist-v1.bin.${dead}.2.tmp`)); // a directory is never removed
  const removed = removeStaleTempFiles(cache, mnistTemp);
  assert.equal(removed.sort(), [names.dead, names.own].sort());
  assert.equal(readdirSync(cache).sort(), [names.cache, `mnist-v1.bin.${dead}.2.tmp`, names.live, names.other].sort());
});

s('a missing directory has nothing to clean', () => {
  assert.equal(removeStaleTempFiles(join(root, 'absent'), mnistTemp), []);
});

s.run();
