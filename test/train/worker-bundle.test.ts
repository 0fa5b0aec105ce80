import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train } from '../../src/index.ts';
import { currentBundleSync as currentBundle } from '../../src/bundle/bundle-cache.mjs';
import { withoutTypeScriptLoader } from '../../src/train/worker-bundle.ts';
import { endIdlePool } from '../../src/train/worker-pool.ts';
import { tempDir } from '../support/temp.ts';
import { assertSameWeights, spiralConfig } from './helpers.ts';

/**
 * Worker threads load a JavaScript bundle of their module (src/train/worker-bundle.ts): it must be
 * rebuilt whenever one of its sources changes, run in a thread without the TypeScript loader, and
 * give way to the source when it cannot be built.
 */
const s = suite('worker bundles');

/** A worker module importing a second module that exports `value`. */
function writeModule(dir: string, value: number): string {
  writeFileSync(join(dir, 'value.ts'), `export const value: number = ${value};\n`);
  const main = join(dir, 'main.ts');
  writeFileSync(
    main,
    "import { parentPort } from 'node:worker_threads';\nimport { value } from './value.ts';\n" +
      'parentPort!.postMessage(value);\n',
  );
  return main;
}

/** Runs `file` in a thread without tsx and returns the value it posts. */
function runPlain(file: string): Promise<number> {
  const worker = new Worker(file, { execArgv: [] });
  return new Promise((resolve, reject) => {
    worker.once('message', (value: number) => void worker.terminate().then(() => resolve(value)));
    worker.once('error', reject);
  });
}

s(
  'the bundle runs in a thread without tsx, is reused while its sources are unchanged, and rebuilt after an edit',
  async () => {
    const [sources, cache] = [tempDir('shardprop-bundle-src-'), tempDir('shardprop-bundle-cache-')];
    const main = writeModule(sources, 1);
    const bundle = currentBundle(main, cache);
    assert.ok(bundle, 'a bundle was built');
    assert.is(await runPlain(bundle), 1);
    const built = statSync(bundle).mtimeMs;

    assert.is(currentBundle(main, cache), bundle);
    assert.is(statSync(bundle).mtimeMs, built, 'unchanged sources: the bundle is not written again');

    // Only the imported module changes.
    writeFileSync(join(sources, 'value.ts'), 'export const value: number = 2;\n');
    assert.is(currentBundle(main, cache), bundle);
    assert.is(await runPlain(bundle), 2, 'the edit of an imported module is in the bundle');
  },
);

s('a module that cannot be bundled gives null (the thread then loads the source through tsx)', () => {
  const dir = tempDir('shardprop-bundle-bad-');
  const main = join(dir, 'main.ts');
  writeFileSync(main, "import { missing } from './missing.ts';\nconsole.log(missing);\n");
  assert.is(currentBundle(main, tempDir('shardprop-bundle-cache-')), null);
});

s('the flags that load tsx are left out, every other flag is kept', () => {
  assert.equal(withoutTypeScriptLoader(['--import', 'tsx', '--max-old-space-size=512']), ['--max-old-space-size=512']);
  assert.equal(withoutTypeScriptLoader(['--import=tsx', '--enable-source-maps']), ['--enable-source-maps']);
  assert.equal(withoutTypeScriptLoader(['--require', 'tsx', '--loader=tsx']), []);
  assert.equal(withoutTypeScriptLoader(['--import', './other.mjs']), ['--import', './other.mjs']);
});

s('threads run from the bundle train to the same bytes as threads loading the TypeScript source', async () => {
  // The fault injector without a fault is the real trainer; its pools are never kept, so each run starts its own.
  const workerFile = fileURLToPath(new URL('./fixtures/faulty-trainer.ts', import.meta.url));
  const config = spiralConfig({ workers: 3, epochs: 1, kernels: 'wasm' });
  const bundled = await train(config, { write: false, workerFile });
  process.env.SHARDPROP_WORKER_BUNDLE = 'off';
  try {
    const source = await train(config, { write: false, workerFile });
    assertSameWeights(bundled.weights, source.weights, 'bundled vs TypeScript workers');
  } finally {
    delete process.env.SHARDPROP_WORKER_BUNDLE;
  }
});

s('endIdlePool ends the threads a run kept for the next one', async () => {
  const threads = () => readdirSync('/proc/self/task').sort().join(' ');
  await endIdlePool(); // whatever an earlier file in this process kept
  const before = threads();
  await train(spiralConfig({ workers: 2, epochs: 1 }), { write: false });
  assert.is.not(threads(), before, 'a thread kept idle');
  await endIdlePool();
  for (let i = 0; i < 100 && threads() !== before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(threads(), before);
});

s.run();
