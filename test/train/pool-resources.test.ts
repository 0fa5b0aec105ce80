import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train } from '../../src/index.ts';
import { spiralConfig } from './helpers.ts';

/**
 * Many runs in one process (a sweep, the stress command, a notebook) must not leak file
 * descriptors or threads: a run either reuses the idle threads of the last one or starts a pool,
 * and a pool that is not kept is terminated.
 */
const s = suite('worker pool resources');
const open = () => readdirSync('/proc/self/fd').length;
/** The process's thread ids: a started thread gets a new one. */
const threads = () => readdirSync('/proc/self/task').sort().join(' ');
// Any worker module other than the default one gets a fresh pool per run, destroyed at its end:
// the fault injector without a fault is the real trainer.
const unsharedWorker = fileURLToPath(new URL('./fixtures/faulty-trainer.ts', import.meta.url));

s('runs with pools started and terminated each time leave the open file descriptors where they were', async () => {
  const run = () => train(spiralConfig({ workers: 2, epochs: 1 }), { write: false, workerFile: unsharedWorker });
  await run(); // modules loaded, caches warm
  const before = open();
  for (let i = 0; i < 3; i++) await run();
  assert.ok(open() <= before + 2, `open descriptors went from ${before} to ${open()}`);
});

s('runs with the default workers reuse the idle threads instead of adding more', async () => {
  const run = (workers: number) => train(spiralConfig({ workers, epochs: 1 }), { write: false });
  await run(4); // a pool of 3 worker threads is kept
  const before = threads();
  for (const workers of [2, 4, 3, 2]) await run(workers);
  assert.is(threads(), before, 'runs needing at most the kept threads started no thread');
  await run(5); // needs 4: a bigger pool replaces the kept one
  assert.is.not(threads(), before);
});

s.run();
