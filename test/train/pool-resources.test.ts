import { readdirSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train } from '../../src/index.ts';
import { spiralConfig } from './helpers.ts';

/**
 * Many runs in one process (a sweep, the stress command, a notebook) must not leak file
 * descriptors: each run starts and terminates a pool of worker threads.
 */
const s = suite('worker pool resources');

s('three runs with 2 threads each leave the number of open file descriptors where it was', async () => {
  const open = () => readdirSync('/proc/self/fd').length;
  await train(spiralConfig({ workers: 2, epochs: 1 }), { write: false }); // modules loaded, caches warm
  const before = open();
  for (let i = 0; i < 3; i++) await train(spiralConfig({ workers: 2, epochs: 1 }), { write: false });
  assert.ok(open() <= before + 2, `open descriptors went from ${before} to ${open()}`);
});

s.run();
