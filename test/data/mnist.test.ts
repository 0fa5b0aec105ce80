import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { floatInputs } from '../../src/data/inputs.ts';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import type { Dataset } from '../../src/data/types.ts';
import { mnistImages } from '../../src/data/mnist-cache.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { createRng, permutation, STREAM } from '../../src/random.ts';
import { tempDir } from './helpers.ts';

const s = suite('mnist source');
const digits = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
/** Built from the package's JSON by the first test; later tests start from copies of it (a build takes ~1 s). */
const cacheDir = tempDir();
function copyOfCache(): string {
  const dir = tempDir();
  copyFileSync(join(cacheDir, 'mnist-v1.bin'), join(dir, 'mnist-v1.bin'));
  return dir;
}
const load = (input: object, seed: number): Promise<Dataset> =>
  loadDataset(dataConfigSchema.parse({ source: 'mnist', ...input }), seed, { cacheDir });

s('builds the cache once; a second load reads it without touching the JSON', async () => {
  assert.ok(mnistImages(cacheDir).built);
  const file = join(cacheDir, 'mnist-v1.bin');
  const mtime = statSync(file).mtimeMs;
  const again = mnistImages(cacheDir, '/no/such/mnist/digits'); // no JSON there: it can only come from the cache
  assert.not.ok(again.built);
  assert.is(statSync(file).mtimeMs, mtime);
  assert.is(again.labels.length, 10000);
});

s('rebuilds a truncated cache', async () => {
  const dir = copyOfCache();
  const first = mnistImages(dir);
  assert.not.ok(first.built);
  truncateSync(join(dir, 'mnist-v1.bin'), 1000);
  const rebuilt = mnistImages(dir);
  assert.ok(rebuilt.built);
  assert.equal(rebuilt.pixels, first.pixels);
});

s('rebuilds a cache whose pixels were changed (checksum)', async () => {
  const dir = copyOfCache();
  const file = join(dir, 'mnist-v1.bin');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes);
  assert.ok(mnistImages(dir).built);
});

s('gives 8000 train and 2000 test rows of 784 pixels, 10 classes, by default', async () => {
  const data = await load({}, 1);
  assert.is(data.features, 784);
  assert.is(data.classes, 10);
  assert.is(floatInputs(data.train.inputs).length, 8000 * 784);
  assert.is(data.train.count, 8000);
  assert.is(data.test?.count, 2000);
  assert.is(floatInputs(data.test!.inputs).length, 2000 * 784);
  assert.equal(data.preprocessing, { kind: 'none' }); // the package's pixels are in [0, 1] already
  assert.equal(data.warnings, []); // nor do its rarely used corner pixels count as a range of their own
});

s('train and test together hold each of the 10000 images once', async () => {
  const data = await load({}, 1);
  const rows = new Set<string>();
  for (const split of [data.train, data.test!]) {
    const inputs = floatInputs(split.inputs);
    for (let i = 0; i < split.count; i++) rows.add(Buffer.from(inputs.buffer, i * 3136, 3136).toString('base64'));
  }
  assert.is(rows.size, 10000);
});

s('splits the same way for the same seed and differently for another', async () => {
  const a = await load({ train: 100, test: 50 }, 3);
  assert.equal(await load({ train: 100, test: 50 }, 3), a);
  assert.not.equal((await load({ train: 100, test: 50 }, 4)).train.targets, a.train.targets);
});

s('gives no test split for test: 0', async () => {
  assert.is((await load({ train: 10, test: 0 }, 1)).test, null);
});

s('pixels and labels equal those in the package JSON', async () => {
  const seed = 5;
  const data = await load({}, seed);
  const order = permutation(10000, createRng(seed, STREAM.split));
  const [train, test] = [floatInputs(data.train.inputs), floatInputs(data.test!.inputs)];
  let offset = 0; // rows are numbered digit by digit, in the package's order
  for (let digit = 0; digit < 10; digit++) {
    const json = JSON.parse(readFileSync(join(digits, `${digit}.json`), 'utf8')).data as number[];
    for (const k of [0, 17, json.length / 784 - 1]) {
      const position = order.indexOf(offset + k);
      const [split, inputs, row] =
        position < 8000 ? [data.train, train, position] : [data.test!, test, position - 8000];
      assert.equal(
        Array.from(inputs.subarray(row * 784, (row + 1) * 784)),
        json.slice(k * 784, (k + 1) * 784).map(Math.fround),
      );
      assert.is(split.targets[row], digit);
    }
    offset += json.length / 784;
  }
});

s.run();
