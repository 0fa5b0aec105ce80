/**
 * IDX bytes can be read again from their file straight into another array (data/reread.ts): the
 * trainer frees the loader's copy first and reads the rows into its arena, so the data is never held
 * twice (train.ts fillArena). The rows read again are the rows loaded, for both ways of splitting,
 * raw or gzipped; a file changed in between is refused by name.
 */
import { utimesSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isByteInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import { rereadOf } from '../../src/data/reread.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import type { Split } from '../../src/data/types.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('idx reread');
const dir = tempDir();

// Five 2×2 images, image i holding 10i, 10i+1, 10i+2, 10i+3: a row's bytes tell which image it is.
const pixels = Array.from({ length: 20 }, (_, j) => 10 * Math.floor(j / 4) + (j % 4));
const image = (i: number) => [10 * i, 10 * i + 1, 10 * i + 2, 10 * i + 3];
const images = writeTemp(dir, 'images.idx', idxImages(5, 2, 2, pixels));
const labels = writeTemp(dir, 'labels.idx', idxLabels([0, 1, 2, 0, 1]));
const gzImages = writeTemp(dir, 'images.idx.gz', gzipSync(idxImages(5, 2, 2, pixels)));
const testImages = writeTemp(dir, 'test-images.idx', idxImages(2, 2, 2, [...image(7), ...image(8)]));
const testLabels = writeTemp(dir, 'test-labels.idx', idxLabels([2, 2]));

const load = (input: object) => loadDataset(dataConfigSchema.parse({ source: 'idx', ...input }), 3);

/** The split's bytes read again into a fresh array. */
async function readAgain(split: Split): Promise<number[]> {
  assert.ok(isByteInputs(split.inputs));
  const reread = rereadOf(split.inputs.bytes);
  assert.ok(reread, 'IDX bytes can be read again');
  const into = new Uint8Array(split.inputs.bytes.length);
  await reread(into);
  return Array.from(into);
}

const bytesOf = (split: Split) => (isByteInputs(split.inputs) ? Array.from(split.inputs.bytes) : []);

s('with test files: each split reads again as its first rows, raw and gzipped', async () => {
  for (const file of [images, gzImages]) {
    const data = await load({ images: file, labels, testImages, testLabels, train: 3 });
    assert.equal(await readAgain(data.train), [0, 1, 2].flatMap(image), file);
    assert.equal(await readAgain(data.test!), [7, 8].flatMap(image), file);
  }
});

s('held out of one file: train and test read again as the seeded split picked them', async () => {
  for (const file of [images, gzImages]) {
    const data = await load({ images: file, labels, test: 2 });
    const [train, test] = [bytesOf(data.train), bytesOf(data.test!)];
    // Every image once, over both splits, in the split's order; read again the same.
    const firsts = [...train, ...test].filter((_, j) => j % 4 === 0).map((b) => b / 10);
    assert.equal([...firsts].sort(), [0, 1, 2, 3, 4], file);
    assert.equal(await readAgain(data.train), train, file);
    assert.equal(await readAgain(data.test!), test, file);
  }
});

s('a file changed since it was loaded is refused, naming it', async () => {
  const changing = writeTemp(dir, 'changing.idx', idxImages(5, 2, 2, pixels));
  const data = await load({ images: changing, labels });
  const later = new Date(Date.now() + 60_000);
  utimesSync(changing, later, later);
  const error = await userErrorOf(() => readAgain(data.train));
  assert.match(error, `${changing} changed while the run was starting`);
});

s.run();
