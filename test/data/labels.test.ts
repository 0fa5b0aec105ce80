/** CSV labels as class names: the sorted order, the stored names, and errors naming the file, line and label. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { tempDir, userErrorOf, writeTemp } from './helpers.ts';
import { floatInputs } from '../../src/data/inputs.ts';

const s = suite('csv class names');
const dir = tempDir();
let files = 0;
const csv = (text: string): string => writeTemp(dir, `n${files++}.csv`, text);
const load = (input: object, seed = 1) => loadDataset(dataConfigSchema.parse({ source: 'csv', ...input }), seed);

s('string labels become classes in sorted order, whatever the order of the rows', async () => {
  // First appearance is virginica, setosa, versicolor; sorted: setosa 0, versicolor 1, virginica 2.
  const path = csv('a,b,species\n1,2,virginica\n3,4,setosa\n5,6,"versicolor"\n7,8, setosa \n');
  const data = await load({ path, labelColumn: 'species' });
  assert.equal(data.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.is(data.classes, 3);
  assert.is(data.task, 'classification');
  assert.equal(Array.from(data.train.targets), [2, 0, 1, 0]);
  assert.equal(data.warnings, []);
  // Code-unit order: upper case before lower case, as Python's sorted().
  const mixed = await load({ path: csv('x,y\n1,b\n2,B\n3,a\n'), labelColumn: 'y' });
  assert.equal(mixed.classNames, ['B', 'a', 'b']);
});

s('numeric labels stay class indices (classNames null)', async () => {
  const data = await load({ path: csv('x,label\n1,2\n2,0\n3,1\n'), labelColumn: 'label' });
  assert.is(data.classNames, null);
  assert.equal(Array.from(data.train.targets), [2, 0, 1]);
});

s('the classes come from the training file: a test file label it lacks names the file, line and label', async () => {
  const path = csv('x,y\n1,cat\n2,dog\n3,cat\n');
  const testPath = csv('x,y\n1,dog\n2,cat\n3,bird\n');
  const message = await userErrorOf(() => load({ path, testPath, labelColumn: 'y' }));
  assert.match(message, `${testPath} line 4: label "bird" is not a class of the training file ${path}`);
  assert.match(message, '(its 2 classes: cat, dog)');
  const ok = await load({ path, testPath: csv('x,y\n1,dog\n2,cat\n'), labelColumn: 'y' });
  assert.equal(Array.from(ok.test!.targets), [1, 0]);
  // A test file of class indices against a training file of names: the same error.
  assert.match(
    await userErrorOf(() => load({ path, testPath: csv('x,y\n1,0\n'), labelColumn: 'y' })),
    'line 2: label "0" is not a class of the training file',
  );
  // And names in a test file against class indices.
  const numeric = csv('x,y\n1,0\n2,1\n');
  assert.match(
    await userErrorOf(() => load({ path: numeric, testPath: csv('x,y\n1,cat\n'), labelColumn: 'y' })),
    'line 2: label "cat" is not a class index, and the labels of',
  );
});

s('a testFraction split keeps the names of the whole file', async () => {
  const rows = Array.from({ length: 20 }, (_, i) => `${i},${['b', 'a', 'c'][i % 3]}`);
  const data = await load({ path: csv(['x,y', ...rows].join('\n')), labelColumn: 'y', testFraction: 0.25 });
  assert.equal(data.classNames, ['a', 'b', 'c']);
  assert.is(data.train.count + data.test!.count, 20);
  // Every row keeps its own class: x mod 3 gives it back.
  for (const split of [data.train, data.test!]) {
    for (let i = 0; i < split.count; i++) {
      assert.is(split.targets[i], [1, 0, 2][floatInputs(split.inputs)[i] % 3], `x ${floatInputs(split.inputs)[i]}`);
    }
  }
});

s('one stray text in a column of numbers: names, with a warning naming it', async () => {
  const data = await load({ path: csv('x,y\n1,0\n2,1\n3,NaN\n4,1\n'), labelColumn: 'y' });
  assert.equal(data.classNames, ['0', '1', 'NaN']);
  assert.match(data.warnings.join('\n'), 'the labels are class names because of "NaN" at line 4');
});

s('bad labels and class counts are named', async () => {
  assert.match(
    await userErrorOf(() => load({ path: csv('x,y\n1,a\n2,\n'), labelColumn: 'y' })),
    'line 3: the label is empty',
  );
  const one = csv('x,y\n1,a\n2,a\n');
  assert.match(await userErrorOf(() => load({ path: one, labelColumn: 'y' })), 'every label is "a"');
  const two = csv('x,y\n1,a\n2,b\n');
  assert.match(
    await userErrorOf(() => load({ path: two, labelColumn: 'y', classes: 3 })),
    `data.classes is 3 but ${two} names 2 classes (a, b)`,
  );
  assert.is((await load({ path: two, labelColumn: 'y', classes: 2 })).classes, 2);
});

s.run();
