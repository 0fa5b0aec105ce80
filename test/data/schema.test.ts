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

s('fills in the mnist defaults: 8000 train, 2000 test, no normalization', async () => {
  const defaults = { source: 'mnist', train: 8000, test: 2000, normalize: 'none' };
  assert.equal(dataConfigSchema.parse({ source: 'mnist' }), defaults);
});

s('rejects an unknown key', async () => {
  assert.match(problems({ source: 'mnist', trian: 100 }), 'Unrecognized key: "trian"');
});

s('rejects an unknown source at data.source', async () => {
  assert.match(problems({ source: 'parquet' }), '→ at data.source');
});

s('names the missing file and where it was asked for', async () => {
  const message = problems({ source: 'idx', images: '/no/such/train.idx', labels });
  assert.match(message, '✖ file not found: /no/such/train.idx\n  → at data.images');
});

s('rejects a directory given as a file', async () => {
  assert.match(problems({ source: 'csv', path: dir }), `not a file: ${dir}`);
});

s('resolves a relative path against the working directory', async () => {
  const before = process.cwd();
  process.chdir(dir);
  try {
    assert.ok(dataConfigSchema.safeParse({ source: 'idx', images: 'images.idx', labels: 'labels.idx' }).success);
  } finally {
    process.chdir(before);
  }
});

s('rejects mnist train + test above 10000, naming the field', async () => {
  assert.match(problems({ source: 'mnist', train: 9000, test: 2000 }), 'at most 10000');
  assert.match(problems({ source: 'mnist', train: 9000, test: 2000 }), '→ at data.test');
});

s('fills idx normalize with true', async () => {
  assert.equal(dataConfigSchema.parse({ source: 'idx', images, labels }), {
    source: 'idx',
    images,
    labels,
    normalize: true,
  });
});

s('rejects testImages without testLabels', async () => {
  assert.match(
    problems({ source: 'idx', images, labels, testImages: images }),
    'testImages and testLabels go together',
  );
});

s('fills the csv defaults: label column 0, a header, divisor 1', async () => {
  assert.equal(dataConfigSchema.parse({ source: 'csv', path: images }), {
    source: 'csv',
    path: images,
    labelColumn: 0,
    header: true,
    normalize: 1,
  });
});

s('rejects a label column by name without a header', async () => {
  assert.match(
    problems({ source: 'csv', path: images, labelColumn: 'y', header: false }),
    'labelColumn by name needs header: true',
  );
});

s('rejects a testFraction of 1', async () => {
  assert.match(problems({ source: 'csv', path: images, testFraction: 1 }), '→ at data.testFraction');
});

s('fills the synthetic defaults, spiral with 3 classes', async () => {
  const defaults = { source: 'synthetic', n: 1000, noise: 0.1, testFraction: 0.2, normalize: 'none' };
  assert.equal(dataConfigSchema.parse({ source: 'synthetic', kind: 'spiral' }), {
    ...defaults,
    kind: 'spiral',
    classes: 3,
  });
});

s('gives xor 2 classes', async () => {
  assert.equal(dataConfigSchema.parse({ source: 'synthetic', kind: 'xor' }), {
    source: 'synthetic',
    kind: 'xor',
    n: 1000,
    noise: 0.1,
    testFraction: 0.2,
    normalize: 'none',
    classes: 2,
  });
});

s('data.normalize: the defaults per source, and what else it takes', async () => {
  const idx = { source: 'idx', images, labels };
  assert.is(dataConfigSchema.parse(idx).normalize, true);
  assert.is(dataConfigSchema.parse({ source: 'csv', path: images }).normalize, 1);
  for (const normalize of ['none', 'minmax', 'standardize', 17.5, false]) {
    assert.is(dataConfigSchema.parse({ ...idx, normalize }).normalize, normalize);
  }
  const message = 'use "none", "minmax", "standardize" or a positive divisor';
  assert.match(problems({ source: 'csv', path: images, normalize: 'zscore' }), `✖ ${message}\n  → at data.normalize`);
  assert.match(problems({ source: 'csv', path: images, normalize: true }), message);
  assert.match(problems({ source: 'mnist', normalize: 0 }), 'Too small');
});

s('rejects classes for a kind other than spiral', async () => {
  assert.match(problems({ source: 'synthetic', kind: 'moons', classes: 4 }), 'classes applies to kind "spiral" only');
});

s.run();
