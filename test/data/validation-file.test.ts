/**
 * data.validation as a file: its rows as the file holds them, preprocessed with the statistics of
 * the training split only; the training split stays whole; bad files are errors naming them.
 * Expected values are worked out by hand from the files below.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import type { Split } from '../../src/data/types.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('data.validation as a file');
const dir = tempDir('shardprop-valfile-');
const f32 = (values: number[]): number[] => values.map(Math.fround);
const inputsOf = (split: Split | undefined | null) => Array.from(floatInputs(split!.inputs));
const targetsOf = (split: Split | undefined | null) => Array.from(split!.targets);

// Feature a: 1, 2, 3, 6 (mean 3, population std √3.5, min 1, max 6); b is the constant 10.
// Class names sorted: cat is class 0, dog class 1.
const train = writeTemp(dir, 'train.csv', 'a,b,label\n1,10,cat\n2,10,dog\n3,10,cat\n6,10,dog\n');
const valCsv = writeTemp(dir, 'val.csv', 'a,b,label\n4,12,dog\n0,9,cat\n11,10,dog\n');
// Far outside the training range: would move every statistic if it were counted.
const extremeCsv = writeTemp(dir, 'extreme.csv', 'a,b,label\n-1000000,1000000,cat\n');
const csv = (input: object, seed = 1) =>
  loadDataset(dataConfigSchema.parse({ source: 'csv', path: train, labelColumn: 'label', ...input }), seed);

s('csv: the rows of the file, class names resolved against the training file, divisor applied', async () => {
  const data = await csv({ validation: { path: valCsv }, normalize: 2 });
  assert.equal(data.classNames, ['cat', 'dog']);
  assert.is(data.validation?.count, 3);
  assert.equal(inputsOf(data.validation), [2, 6, 0, 4.5, 5.5, 5]);
  assert.equal(targetsOf(data.validation), [1, 0, 1]);
});

s('csv: standardize and minmax use the training rows only', async () => {
  const z = (a: number) => (a - 3) / Math.sqrt(3.5);
  const standardized = await csv({ validation: { path: valCsv }, normalize: 'standardize' });
  assert.equal(standardized.preprocessing, { kind: 'standardize', mean: [3, 10], std: [Math.sqrt(3.5), 0] });
  // b has std 0: x − mean.
  assert.equal(inputsOf(standardized.validation), f32([z(4), 2, z(0), -1, z(11), 0]));
  const scaled = await csv({ validation: { path: valCsv }, normalize: 'minmax' });
  assert.equal(scaled.preprocessing, { kind: 'minmax', min: [1, 10], max: [6, 10] });
  assert.equal(inputsOf(scaled.validation), f32([0.6, 2, -0.2, -1, 2, 0]));
  for (const normalize of ['minmax', 'standardize']) {
    const extreme = await csv({ validation: { path: extremeCsv }, normalize });
    const plain = await csv({ normalize });
    assert.equal(extreme.preprocessing, plain.preprocessing, `${normalize}: the validation rows are not counted`);
    assert.equal(inputsOf(extreme.train), inputsOf(plain.train));
  }
});

s('csv: the training split stays whole; a testFraction still splits the training file only', async () => {
  const whole = await csv({ validation: { path: valCsv }, normalize: 'none' });
  assert.is(whole.train.count, 4);
  assert.equal(inputsOf(whole.train), [1, 10, 2, 10, 3, 10, 6, 10]);
  const split = await csv({ validation: { path: valCsv }, testFraction: 0.25 });
  assert.is(split.train.count + split.test!.count, 4);
  assert.is(split.validation?.count, 3);
  assert.not.ok((await csv({ validation: 0.5 })).validation, 'a share is held out later, by the trainer');
});

s('csv: class indices count the validation file; a stated data.classes bounds it', async () => {
  const indices = writeTemp(dir, 'indices.csv', 'a,label\n1,0\n2,1\n');
  const valIndices = writeTemp(dir, 'val-indices.csv', 'a,label\n5,1\n6,2\n');
  const data = await csv({ path: indices, validation: { path: valIndices } });
  assert.is(data.classes, 3);
  assert.equal(targetsOf(data.validation), [1, 2]);
  const message = await userErrorOf(() => csv({ path: indices, validation: { path: valIndices }, classes: 2 }));
  assert.match(message, `${valIndices} line 3: label 2 is out of range: data.classes is 2`);
});

s('csv: a label the training file does not have is an error naming the file and line', async () => {
  const unseen = writeTemp(dir, 'unseen.csv', 'a,b,label\n1,10,cat\n2,10,bird\n');
  const message = await userErrorOf(() => csv({ validation: { path: unseen } }));
  assert.match(message, `${unseen} line 3: label "bird" is not a class of the training file ${train}`);
  const numeric = writeTemp(dir, 'numeric.csv', 'a,b,label\n1,10,0\n');
  assert.match(
    await userErrorOf(() => csv({ validation: { path: numeric } })),
    `${numeric} line 2: label "0" is not a class of the training file ${train}`,
  );
});

s('csv: another column count names both files and both counts', async () => {
  const narrow = writeTemp(dir, 'narrow.csv', 'a,label\n1,cat\n');
  const message = await userErrorOf(() => csv({ validation: { path: narrow } }));
  assert.is(message, `${narrow} has 2 columns but ${train} has 3\n  → at data.validation.path`);
});

s('csv: a missing, empty or malformed file is an error naming it', async () => {
  const gone = writeTemp(dir, 'gone.csv', 'a,b,label\n1,10,cat\n');
  const config = dataConfigSchema.parse({
    source: 'csv',
    path: train,
    labelColumn: 'label',
    validation: { path: gone },
  });
  rmSync(gone); // between the config check and loading
  assert.match(await userErrorOf(() => loadDataset(config, 1)), gone);
  const empty = writeTemp(dir, 'empty.csv', 'a,b,label\n');
  assert.match(await userErrorOf(() => csv({ validation: { path: empty } })), `${empty}: no data rows`);
  const bad = writeTemp(dir, 'bad.csv', 'a,b,label\n1,10,cat\n1,x,dog\n');
  assert.match(await userErrorOf(() => csv({ validation: { path: bad } })), `${bad} line 3, column 2 (b): "x"`);
  const ragged = writeTemp(dir, 'ragged.csv', 'a,b,label\n1,10,cat,4\n');
  assert.match(
    await userErrorOf(() => csv({ validation: { path: ragged } })),
    `${ragged} line 2: 4 columns, expected 3`,
  );
});

// IDX: three 2×2 training images. Per pixel: min 0, max 255 / 51 / 102 / 255.
const images = writeTemp(dir, 'images.idx', idxImages(3, 2, 2, [0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4]));
const labels = writeTemp(dir, 'labels.idx', idxLabels([0, 2, 1]));
const valPixels = [255, 51, 51, 0, 0, 102, 204, 255];
const valImages = writeTemp(dir, 'val-images.idx', idxImages(2, 2, 2, valPixels));
const valLabels = writeTemp(dir, 'val-labels.idx', idxLabels([1, 0]));
const idx = (input: object) => loadDataset(dataConfigSchema.parse({ source: 'idx', images, labels, ...input }), 1);

s('idx: every row of the pair, in file order, pixels ÷ 255 (kept as bytes like the training rows)', async () => {
  const data = await idx({ validation: { images: valImages, labels: valLabels } });
  assert.is(data.train.count, 3, 'the training split is whole');
  assert.is(data.validation?.count, 2);
  assert.equal(inputsOf(data.validation), f32(valPixels.map((p) => p / 255)));
  assert.equal(targetsOf(data.validation), [1, 0]);
  assert.not.instance(data.validation!.inputs, Float32Array, 'bytes, like the training split');
});

s('idx: minmax scales with the training images only', async () => {
  const data = await idx({ validation: { images: valImages, labels: valLabels }, normalize: 'minmax' });
  assert.equal(data.preprocessing, { kind: 'minmax', min: [0, 0, 0, 0], max: [255, 51, 102, 255] });
  assert.equal(inputsOf(data.validation), [1, 1, 0.5, 0, 0, 2, 2, 1]);
});

s('idx: another image size names both files and sizes', async () => {
  const wide = writeTemp(dir, 'wide.idx', idxImages(1, 1, 5, [1, 2, 3, 4, 5]));
  const one = writeTemp(dir, 'one.idx', idxLabels([0]));
  const message = await userErrorOf(() => idx({ validation: { images: wide, labels: one } }));
  assert.is(
    message,
    `${wide} holds 1×5 images (5 pixels) but ${images} holds 2×2 (4 pixels)\n  → at data.validation.images`,
  );
});

s('idx: bad pairs are errors naming the file', async () => {
  const three = writeTemp(dir, 'three-labels.idx', idxLabels([0, 1, 1]));
  assert.match(
    await userErrorOf(() => idx({ validation: { images: valImages, labels: three } })),
    `${valImages} holds 2 rows but ${three} holds 3 labels`,
  );
  const text = writeTemp(dir, 'text.idx', 'not an idx file at all');
  assert.match(
    await userErrorOf(() => idx({ validation: { images: text, labels: valLabels } })),
    `${text}: not an IDX images`,
  );
  const high = writeTemp(dir, 'high-labels.idx', idxLabels([1, 7]));
  assert.match(
    await userErrorOf(() => idx({ validation: { images: valImages, labels: high }, classes: 3 })),
    `${high} sample index 1: label 7 is out of range: data.classes is 3`,
  );
  const gone = join(dir, 'gone.idx');
  writeTemp(dir, 'gone.idx', idxLabels([1, 0]));
  const config = dataConfigSchema.parse({
    source: 'idx',
    images,
    labels,
    validation: { images: valImages, labels: gone },
  });
  rmSync(gone);
  assert.match(await userErrorOf(() => loadDataset(config, 1)), gone);
});

s.run();
