import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import { floatInputs } from '../../src/data/inputs.ts';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('idx source');
const dir = tempDir();

// Three 2×2 images: pixel values chosen so that ÷255 is easy to state (255 → 1, 51 → 0.2).
const pixels = [0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4];
const images = writeTemp(dir, 'images.idx', idxImages(3, 2, 2, pixels));
const labels = writeTemp(dir, 'labels.idx', idxLabels([0, 2, 1]));

const load = (input: object, seed = 1) => loadDataset(dataConfigSchema.parse({ source: 'idx', ...input }), seed);

s('reads a raw pair: 4 features, classes = max label + 1, pixels ÷ 255', async () => {
  const data = await load({ images, labels });
  assert.is(data.features, 4);
  assert.is(data.classes, 3);
  assert.equal(
    Array.from(floatInputs(data.train.inputs)),
    pixels.map((p) => Math.fround(p / 255)),
  );
  assert.equal(Array.from(data.train.targets), [0, 2, 1]);
  assert.is(data.test, null);
});

s('keeps raw bytes with normalize: false', async () => {
  assert.equal(Array.from(floatInputs((await load({ images, labels, normalize: false })).train.inputs)), pixels);
});

s('reads gzipped files, detected by their bytes, not their names', async () => {
  const gzImages = writeTemp(dir, 'gz-images.idx', gzipSync(idxImages(3, 2, 2, pixels)));
  const gzLabels = writeTemp(dir, 'gz-labels.bin', gzipSync(idxLabels([0, 2, 1])));
  const data = await load({ images: gzImages, labels: gzLabels });
  assert.equal(data.train, (await load({ images, labels })).train);
});

s('names a truncated file and the size its header promises', async () => {
  const cut = writeTemp(dir, 'cut.idx', idxImages(3, 2, 2, pixels).subarray(0, 27));
  const message = await userErrorOf(() => load({ images: cut, labels }));
  assert.match(message, `${cut}: truncated`);
  assert.match(message, '3 images of 2×2 (28 bytes) but the data is 27 bytes\n  → at data.images');
});

s('a file that cannot be read names the config key that gave it: images, labels, test or validation pair', async () => {
  const cut = writeTemp(dir, 'cut-images.idx', idxImages(3, 2, 2, pixels).subarray(0, 27));
  const gzipCut = writeTemp(dir, 'cut-images.idx.gz', gzipSync(idxImages(3, 2, 2, pixels)).subarray(0, 30));
  const cases: [object, string, string][] = [
    [{ images: labels, labels }, `${labels}: not an IDX images`, 'data.images'],
    [{ images, labels: images }, `${images}: not an IDX labels`, 'data.labels'],
    [{ images: gzipCut, labels }, `${gzipCut}: the gzip data ends early`, 'data.images'],
    [{ images, labels, testImages: cut, testLabels: labels }, `${cut}: truncated`, 'data.testImages'],
    [{ images, labels, testImages: gzipCut, testLabels: labels }, `${gzipCut}: the gzip data`, 'data.testImages'],
    [{ images, labels, testImages: images, testLabels: cut }, `${cut}: not an IDX labels`, 'data.testLabels'],
    [{ images, labels, validation: { images: cut, labels } }, `${cut}: truncated`, 'data.validation.images'],
    [{ images, labels, validation: { images, labels: cut } }, `${cut}: not an IDX labels`, 'data.validation.labels'],
  ];
  for (const [config, message, key] of cases) {
    const error = await userErrorOf(() => load(config));
    assert.match(error, message);
    assert.ok(error.endsWith(`\n  → at ${key}`), `${key}: ${error}`);
  }
});

s('rejects bytes past the end the header promises', async () => {
  const long = writeTemp(dir, 'long.idx', Buffer.concat([idxLabels([0, 2, 1]), Uint8Array.from([7])]));
  assert.match(await userErrorOf(() => load({ images, labels: long })), 'has extra bytes');
});

s('rejects a labels file given as images by its magic number', async () => {
  const message = await userErrorOf(() => load({ images: labels, labels }));
  assert.match(
    message,
    `${labels}: not an IDX images (u8, 3 dimensions) file: magic number 0x00000801, expected 0x00000803`,
  );
});

s('rejects a file too short for a header', async () => {
  const tiny = writeTemp(dir, 'tiny.idx', Uint8Array.from([0, 0, 8, 3, 0, 0]));
  assert.match(await userErrorOf(() => load({ images: tiny, labels })), 'too short for an IDX images');
});

s('names both files when image and label counts differ', async () => {
  const two = writeTemp(dir, 'two-labels.idx', idxLabels([0, 1]));
  assert.match(
    await userErrorOf(() => load({ images, labels: two })),
    `${images} holds 3 rows but ${two} holds 2 labels\n  → at data.labels`,
  );
});

s('rejects a file with zero images', async () => {
  const empty = writeTemp(dir, 'empty.idx', idxImages(0, 2, 2, []));
  const none = writeTemp(dir, 'none.idx', idxLabels([]));
  assert.match(await userErrorOf(() => load({ images: empty, labels: none })), `${empty}: no data rows`);
});

s('takes the first train and test rows of separate test files', async () => {
  const data = await load({ images, labels, testImages: images, testLabels: labels, train: 2, test: 1 });
  assert.equal(Array.from(data.train.targets), [0, 2]);
  assert.equal(Array.from(data.test?.targets ?? []), [0]);
});

s('rejects test files of another image size', async () => {
  const wide = writeTemp(dir, 'wide.idx', idxImages(1, 1, 4, [1, 2, 3, 4]));
  const one = writeTemp(dir, 'one.idx', idxLabels([0]));
  assert.match(
    await userErrorOf(() => load({ images, labels, testImages: wide, testLabels: one })),
    'holds 1×4 images',
  );
});

s('holds out test rows of one file by a seeded, disjoint split', async () => {
  const data = await load({ images, labels, test: 1 });
  assert.is(data.train.count, 2);
  assert.is(data.test?.count, 1);
  const all = [...data.train.targets, ...(data.test?.targets ?? [])].sort();
  assert.equal(all, [0, 1, 2]);
  assert.equal(await load({ images, labels, test: 1 }), data);
});

s('rejects asking for more rows than the file holds', async () => {
  assert.match(await userErrorOf(() => load({ images, labels, train: 3, test: 1 })), `only 3 rows\n  → at data.train`);
  const withTests = { images, labels, testImages: images, testLabels: labels };
  assert.match(await userErrorOf(() => load({ ...withTests, train: 4 })), `only 3 rows\n  → at data.train`);
  assert.match(await userErrorOf(() => load({ ...withTests, test: 4 })), `only 3 rows\n  → at data.test`);
});

s.run();
