import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { tempDir, writeTemp } from '../support/temp.ts';

const s = suite('data config schema');
const dir = tempDir('shardprop-data-');
const images = writeTemp(dir, 'images.idx', 'x');
const labels = writeTemp(dir, 'labels.idx', 'x');

/** What a user sees for `data: input` in a config: zod's issues, prettified. */
function problems(input: unknown): string {
  const result = z.object({ data: dataConfigSchema }).safeParse({ data: input });
  assert.not.ok(result.success, 'expected the config to be rejected');
  return result.success ? '' : z.prettifyError(result.error);
}

s('fills in the mnist defaults: 8000 train, 2000 test', () => {
  assert.equal(dataConfigSchema.parse({ source: 'mnist' }), { source: 'mnist', train: 8000, test: 2000 });
});

s('rejects an unknown key', () => {
  assert.match(problems({ source: 'mnist', trian: 100 }), 'Unrecognized key: "trian"');
});

s('rejects an unknown source at data.source', () => {
  assert.match(problems({ source: 'parquet' }), '→ at data.source');
});

s('names the missing file and where it was asked for', () => {
  const message = problems({ source: 'idx', images: '/no/such/train.idx', labels });
  assert.match(message, '✖ file not found: /no/such/train.idx\n  → at data.images');
});

s('rejects a directory given as a file', () => {
  assert.match(problems({ source: 'csv', path: dir }), `not a file: ${dir}`);
});

s('resolves a relative path against the working directory', () => {
  const before = process.cwd();
  process.chdir(dir);
  try {
    assert.ok(dataConfigSchema.safeParse({ source: 'idx', images: 'images.idx', labels: 'labels.idx' }).success);
  } finally {
    process.chdir(before);
  }
});

s('rejects mnist train + test above 10000, naming the field', () => {
  assert.match(problems({ source: 'mnist', train: 9000, test: 2000 }), 'at most 10000');
  assert.match(problems({ source: 'mnist', train: 9000, test: 2000 }), '→ at data.test');
});

s('fills idx normalize with true', () => {
  assert.equal(dataConfigSchema.parse({ source: 'idx', images, labels }), { source: 'idx', images, labels, normalize: true });
});

s('rejects testImages without testLabels', () => {
  assert.match(problems({ source: 'idx', images, labels, testImages: images }), 'testImages and testLabels go together');
});

s('fills the csv defaults: label column 0, a header, divisor 1', () => {
  assert.equal(dataConfigSchema.parse({ source: 'csv', path: images }), { source: 'csv', path: images, labelColumn: 0, header: true, normalize: 1 });
});

s('rejects a label column by name without a header', () => {
  assert.match(problems({ source: 'csv', path: images, labelColumn: 'y', header: false }), 'labelColumn by name needs header: true');
});

s('rejects a testFraction of 1', () => {
  assert.match(problems({ source: 'csv', path: images, testFraction: 1 }), '→ at data.testFraction');
});

s('fills the synthetic defaults, spiral with 3 classes', () => {
  const defaults = { source: 'synthetic', n: 1000, noise: 0.1, testFraction: 0.2 };
  assert.equal(dataConfigSchema.parse({ source: 'synthetic', kind: 'spiral' }), { ...defaults, kind: 'spiral', classes: 3 });
});

s('gives xor 2 classes', () => {
  assert.equal(dataConfigSchema.parse({ source: 'synthetic', kind: 'xor' }), { source: 'synthetic', kind: 'xor', n: 1000, noise: 0.1, testFraction: 0.2, classes: 2 });
});

s('rejects classes for a kind other than spiral', () => {
  assert.match(problems({ source: 'synthetic', kind: 'moons', classes: 4 }), 'classes applies to kind "spiral" only');
});

s.run();
