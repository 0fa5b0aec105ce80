import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { train } from '../../src/train/train.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('classes: stated, or inferred with the row of a suspicious label');
const dir = tempDir();
const load = (input: object) => loadDataset(dataConfigSchema.parse(input), 1);

// 20 one-pixel images labelled 0–9 twice, but row 17 holds a corrupt 200: 11 of the labels 0–200 occur.
const digits = Array.from({ length: 20 }, (_, i) => (i === 17 ? 200 : i % 10));
const images = writeTemp(dir, 'images.idx', idxImages(20, 1, 1, new Array(20).fill(1)));
const labels = writeTemp(dir, 'labels.idx', idxLabels(digits));
const clean = writeTemp(dir, 'clean.idx', idxLabels(digits.map((d) => d % 10)));

s('inferred: one corrupt label makes max + 1 classes, named with its file and row', async () => {
  const data = await load({ source: 'idx', images, labels });
  assert.is(data.classes, 201);
  assert.is(
    data.classesFrom,
    `the largest label, 200, at ${labels} sample index 17 (its only row); 190 of the 201 labels 0 to 200 never occur`,
  );
  assert.is(data.warnings.length, 1);
  assert.match(data.warnings[0], `${labels} sample index 17`);
  assert.match(data.warnings[0], 'state data.classes');
});

s('inferred from labels without gaps: no warning', async () => {
  const data = await load({ source: 'idx', images, labels: clean });
  assert.is(data.classes, 10);
  assert.is(data.classesFrom, 'labels 0 to 9');
  assert.equal(data.warnings, []);
});

s('stated: a label at or above data.classes is an error naming the file and row', async () => {
  const message = await userErrorOf(() => load({ source: 'idx', images, labels, classes: 10 }));
  assert.is(
    message,
    `${labels} sample index 17: label 200 is out of range: data.classes is 10, so labels run from 0 to 9` +
      '\n  → at data.classes',
  );
});

s('stated above the largest label: that many classes, some without rows', async () => {
  const data = await load({ source: 'idx', images, labels: clean, classes: 12 });
  assert.is(data.classes, 12);
  assert.is(data.classesFrom, 'data.classes');
});

s('csv: an out-of-range label in the test file names that file and its line', async () => {
  const path = writeTemp(dir, 'train.csv', 'x,label\n1,0\n2,1\n3,2\n');
  const testPath = writeTemp(dir, 'test.csv', 'x,label\n1,0\n2,7\n');
  const message = await userErrorOf(() => load({ source: 'csv', path, testPath, labelColumn: 'label', classes: 3 }));
  assert.match(message, `${testPath} line 3: label 7 is out of range: data.classes is 3`);
});

s('csv: a repeated outlier is counted, with its first line', async () => {
  const path = writeTemp(dir, 'outliers.csv', 'x,label\n1,0\n2,1\n3,9\n4,9\n');
  const data = await load({ source: 'csv', path, labelColumn: 'label' });
  assert.is(data.classes, 10);
  assert.match(data.classesFrom, `the largest label, 9, at ${path} line 4 (and 1 more rows); 7 of the 10 labels`);
});

s('data.classes is a whole number of at least 2, for idx and csv', () => {
  const problems = (input: object) => {
    const result = dataConfigSchema.safeParse(input);
    return result.success ? '' : z.prettifyError(result.error);
  };
  assert.match(problems({ source: 'idx', images, labels, classes: 1 }), '→ at classes');
  assert.match(problems({ source: 'csv', path: labels, classes: 2.5 }), '→ at classes');
  assert.match(problems({ source: 'mnist', classes: 10 }), 'Unrecognized key: "classes"');
});

s('train(): a model that does not match the inferred classes is told the row of the suspicious label', async () => {
  const config = {
    data: { source: 'idx' as const, images, labels },
    model: { layers: [{ type: 'affine' as const, units: 10 }] },
    train: { epochs: 1 },
  };
  const message = await userErrorOf(() => train(config, { write: false, workers: 1 }));
  assert.match(message, 'the model ends with 10 outputs but the data has 201 classes');
  assert.match(message, `${labels} sample index 17`);
});

s.run();
