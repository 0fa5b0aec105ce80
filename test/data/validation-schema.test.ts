/** data.validation in a config: a share of the training split, or (csv, idx) a file of its own. */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { parseUserConfig } from '../../src/cli/paths.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { fakeIo } from '../support/cli.ts';
import { tempDir, writeTemp } from '../support/temp.ts';

const s = suite('data.validation config');
const dir = tempDir('shardprop-valfile-');
const csv = writeTemp(dir, 'train.csv', 'a,label\n1,0\n');
const valCsv = writeTemp(dir, 'val.csv', 'a,label\n1,0\n');
const images = writeTemp(dir, 'images.idx', 'x');
const labels = writeTemp(dir, 'labels.idx', 'x');
const csvData = { source: 'csv', path: csv };
const idxData = { source: 'idx', images, labels };

const validationOf = (data: object) => dataConfigSchema.parse(data).validation;

/** What a user sees for `data: input` in a config: zod's issues, prettified. */
function problems(input: object): string {
  const result = z.object({ data: dataConfigSchema }).safeParse({ data: input });
  assert.not.ok(result.success, 'expected the config to be rejected');
  return result.success ? '' : z.prettifyError(result.error);
}

s('a share of the training split stays a number for every source', () => {
  assert.is(validationOf({ ...csvData, validation: 0.1 }), 0.1);
  assert.is(validationOf({ ...idxData, validation: 0.25 }), 0.25);
  assert.is(validationOf({ source: 'mnist', validation: 0.5 }), 0.5);
  assert.is(validationOf({ source: 'synthetic', kind: 'xor', validation: 0.2 }), 0.2);
  assert.is(validationOf(csvData), undefined);
});

s('a file takes the keys of the training file: { path } for csv, { images, labels } for idx', () => {
  assert.equal(validationOf({ ...csvData, validation: { path: valCsv } }), { path: valCsv });
  assert.equal(validationOf({ ...idxData, validation: { images, labels } }), { images, labels });
});

s('a share outside (0, 1) or of another type names the field and what it takes', () => {
  for (const bad of [0, 1, 1.5, -0.1, '0.1', [0.1], null]) {
    const message = problems({ ...csvData, validation: bad });
    assert.match(message, 'use a share 0 < f < 1 of the training split, or a file: { "path": "…" }');
    assert.match(message, '→ at data.validation');
  }
  assert.match(problems({ ...idxData, validation: 2 }), 'or a file: { "images": "…", "labels": "…" }');
});

s('a file for mnist or synthetic data is refused: they have no files', () => {
  for (const data of [{ source: 'mnist' }, { source: 'synthetic', kind: 'xor' }]) {
    const message = problems({ ...data, validation: { path: valCsv } });
    assert.match(message, 'a validation file needs source "csv" or "idx"');
    assert.match(message, '→ at data.validation');
  }
});

s('a missing file names the file and the key inside data.validation', () => {
  const missing = join(dir, 'no-such.csv');
  assert.match(
    problems({ ...csvData, validation: { path: missing } }),
    `✖ file not found: ${missing}\n  → at data.validation.path`,
  );
  assert.match(problems({ ...csvData, validation: { path: dir } }), `not a file: ${dir}\n  → at data.validation.path`);
  const idxMissing = problems({ ...idxData, validation: { images, labels: missing } });
  assert.match(idxMissing, `✖ file not found: ${missing}\n  → at data.validation.labels`);
});

s('a file object with a wrong or missing key names it', () => {
  assert.match(
    problems({ ...csvData, validation: { file: valCsv } }),
    'Unrecognized key: "file"\n  → at data.validation',
  );
  assert.match(problems({ ...csvData, validation: {} }), '→ at data.validation.path');
  // The csv key is not an idx key: images and labels are asked for, path is unknown.
  const idx = problems({ ...idxData, validation: { path: images } });
  assert.match(idx, '→ at data.validation.images');
  assert.match(idx, '→ at data.validation.labels');
  assert.match(idx, 'Unrecognized key: "path"');
  assert.match(problems({ ...idxData, validation: { images } }), '→ at data.validation.labels');
});

s('relative paths in data.validation resolve against the directory the command was typed in', () => {
  const { io } = fakeIo({ cwd: '/elsewhere', env: { INIT_CWD: dir } });
  const config = (validation: object, data: object) => ({
    data: { ...data, validation },
    model: { layers: [{ type: 'affine', units: 2 }] },
    train: { epochs: 1, batchSize: 1, optimizer: { type: 'sgd', learningRate: 0.1 } },
  });
  const fromCsv = parseUserConfig(config({ path: 'val.csv' }, { source: 'csv', path: 'train.csv' }), 'c.json', io);
  assert.equal(fromCsv.data.validation, { path: valCsv });
  const fromIdx = parseUserConfig(
    config({ images: 'images.idx', labels: 'labels.idx' }, { source: 'idx', images, labels }),
    'c.json',
    io,
  );
  assert.equal(fromIdx.data.validation, { images, labels });
});

s.run();
