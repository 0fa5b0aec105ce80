import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import { shapeOf } from '../../src/data/shape.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('data.shape: the per-sample shape of images and plain rows');
const dir = tempDir();
const load = (input: object) => loadDataset(dataConfigSchema.parse(input), 1, { cacheDir: dir });

const images = writeTemp(
  dir,
  'images.idx',
  idxImages(
    4,
    2,
    3,
    Array.from({ length: 24 }, (_, i) => i),
  ),
);
const labels = writeTemp(dir, 'labels.idx', idxLabels([0, 1, 0, 1]));
const csv = writeTemp(dir, 'rows.csv', 'label,a,b,c,d\n0,1,2,3,4\n1,5,6,7,8\n');

s('IDX images are [1, rows, cols] from their header', async () => {
  assert.equal(shapeOf(await load({ source: 'idx', images, labels })), [1, 2, 3]);
});

s('the bundled MNIST is [1, 28, 28]', async () => {
  assert.equal(shapeOf(await load({ source: 'mnist', train: 10, test: 0 })), [1, 28, 28]);
});

s('CSV rows are [features] unless data.shape says otherwise', async () => {
  assert.equal(shapeOf(await load({ source: 'csv', path: csv })), [4]);
  assert.equal(shapeOf(await load({ source: 'csv', path: csv, shape: [1, 2, 2] })), [1, 2, 2]);
});

s('a data.shape whose size is not the feature count is an error at data.shape naming both', async () => {
  const message = await userErrorOf(() => load({ source: 'csv', path: csv, shape: [3, 2, 2] }));
  assert.match(message, 'data.shape [3, 2, 2] holds 12 values but the rows of');
  assert.match(message, 'have 4 features');
  assert.match(message, '→ at data.shape');
  const idx = await userErrorOf(() => load({ source: 'idx', images, labels, shape: [1, 3, 3] }));
  assert.match(idx, 'holds 9 values');
});

s('data.shape is [features] or [channels, height, width] of whole positive numbers', () => {
  for (const shape of [[2, 2], [1, 2, 2, 1], [0, 4], [1.5], []]) {
    const result = dataConfigSchema.safeParse({ source: 'csv', path: csv, shape });
    assert.not.ok(result.success, JSON.stringify(shape));
    assert.equal(result.error!.issues[0].path.slice(0, 1), ['shape']);
  }
});

s.run();
