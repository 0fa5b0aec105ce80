/**
 * The default worker module runs as one bundled JavaScript file, without tsx (worker-bundle.ts):
 * the same code, so the same weights as the TypeScript module run through tsx; a CLI ends the idle
 * threads before its report (worker-pool.ts endIdlePool).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train } from '../../src/index.ts';
import { bundledWorker, execArgvWithoutTsx } from '../../src/train/worker-bundle.ts';
import { defaultWorkerFile, endIdlePool } from '../../src/train/worker-pool.ts';
import { assertSameWeights, spiralConfig } from './helpers.ts';

const s = suite('worker bundle');
// The fault injector without a fault is the real trainer, as a TypeScript module run through tsx.
const typeScriptWorker = fileURLToPath(new URL('./fixtures/faulty-trainer.ts', import.meta.url));
const wasmModule = fileURLToPath(new URL('../../src/kernels/wasm.ts', import.meta.url));

s('the options for a plain-JavaScript thread drop what loads tsx and keep the rest', () => {
  assert.equal(execArgvWithoutTsx(['--import', 'tsx', '--max-old-space-size=512']), ['--max-old-space-size=512']);
  assert.equal(execArgvWithoutTsx(['--import=tsx', '--import', './probe.mjs']), ['--import', './probe.mjs']);
  assert.equal(execArgvWithoutTsx(['--loader', '/r/node_modules/tsx/dist/loader.mjs', '--no-warnings']), [
    '--no-warnings',
  ]);
  assert.equal(execArgvWithoutTsx(['--require', 'tsx/cjs', '--import', 'tsx/esm']), []);
});

s('the bundle is one file; each module keeps its own import.meta.url (wasm.ts finds kernels.wasm)', async () => {
  const file = await bundledWorker(defaultWorkerFile);
  assert.ok(file && existsSync(file) && file.endsWith('.mjs'), `${file}`);
  const code = readFileSync(file, 'utf8');
  assert.ok(code.includes(JSON.stringify(pathToFileURL(wasmModule).href)), "wasm.ts's own URL");
  assert.not.match(code, /import\.meta\.url/);
  assert.is(await bundledWorker(defaultWorkerFile), file, 'built once per process');
});

s('bundled worker threads train to the same bytes as the TypeScript module through tsx', async () => {
  const config = spiralConfig({ workers: 3, epochs: 1, kernels: 'wasm' });
  const bundled = await train(config, { write: false });
  const typeScript = await train(config, { write: false, workerFile: typeScriptWorker });
  assertSameWeights(bundled.weights, typeScript.weights, 'bundled vs TypeScript workers');
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
