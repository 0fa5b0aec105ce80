import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import { floatInputs } from '../../src/data/inputs.ts';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('csv source');
const dir = tempDir();
let files = 0;
const csv = (text: string): string => writeTemp(dir, `t${files++}.csv`, text);
const load = (input: object, seed = 1) => loadDataset(dataConfigSchema.parse({ source: 'csv', ...input }), seed);

s('reads a header and finds the label column by name', async () => {
  const data = await load({ path: csv('x,y,label\n1,2,0\n3,4,1\n'), labelColumn: 'label' });
  assert.is(data.features, 2);
  assert.is(data.classes, 2);
  assert.equal(Array.from(floatInputs(data.train.inputs)), [1, 2, 3, 4]);
  assert.equal(Array.from(data.train.targets), [0, 1]);
  assert.is(data.test, null);
});

s('reads a file without header, label in column 0 by default, with \\r\\n endings', async () => {
  const data = await load({ path: csv('1,0.5,0.25\r\n2,8,16\r\n'), header: false });
  assert.equal(Array.from(floatInputs(data.train.inputs)), [0.5, 0.25, 8, 16]);
  assert.equal(Array.from(data.train.targets), [1, 2]);
  assert.is(data.classes, 3);
});

s('reads a file without a trailing newline', async () => {
  assert.is((await load({ path: csv('a,b\n0,1\n1,2'), labelColumn: 1 })).train.count, 2);
});

s('ignores a byte-order mark before the header', async () => {
  assert.equal(
    Array.from((await load({ path: csv('\uFEFFlabel,a\n1,2\n'), labelColumn: 'label' })).train.targets),
    [1],
  );
});

s('reads a gzipped csv', async () => {
  const path = writeTemp(dir, 'g.csv.gz', gzipSync('l,a\n1,2\n'));
  assert.equal(Array.from(floatInputs((await load({ path })).train.inputs)), [2]);
});

s('divides every feature by normalize', async () => {
  assert.equal(Array.from(floatInputs((await load({ path: csv('l,v\n0,255\n'), normalize: 255 })).train.inputs)), [1]);
});

s('rejects a ragged row, naming file and line', async () => {
  const path = csv('a,b,l\n1,2,0\n1,0\n');
  assert.match(await userErrorOf(() => load({ path, labelColumn: 'l' })), `${path} line 3: 2 columns, expected 3`);
});

s('rejects a cell that is not a number, naming line and column', async () => {
  const path = csv('a,b,l\n1,2,0\n1,abc,0\n');
  assert.match(
    await userErrorOf(() => load({ path, labelColumn: 'l' })),
    `${path} line 3, column 2 (b): "abc" is not a number`,
  );
});

s('rejects a NaN feature, naming line and column', async () => {
  const path = csv('l,a,b\n0,1,2\n1,3,NaN\n');
  assert.match(await userErrorOf(() => load({ path })), `${path} line 3, column 3 (b): input is NaN`);
});

s('rejects an infinite feature', async () => {
  const path = csv('1,Infinity\n');
  assert.match(await userErrorOf(() => load({ path, header: false })), `${path} line 1, column 2: input is Infinity`);
});

s('rejects a negative label, naming the line', async () => {
  const path = csv('l,a\n0,1\n-1,2\n');
  assert.match(await userErrorOf(() => load({ path })), `${path} line 3: label -1 is not a class index`);
});

s('rejects a fractional label', async () => {
  assert.match(await userErrorOf(() => load({ path: csv('l,a\n1.5,1\n') })), 'line 2: label 1.5 is not a class index');
});

s('rejects a header-only file as having no rows', async () => {
  const path = csv('l,a\n');
  assert.match(await userErrorOf(() => load({ path })), `${path}: no data rows`);
});

s('rejects a label column name not in the header', async () => {
  assert.match(await userErrorOf(() => load({ path: csv('a,b\n1,0\n'), labelColumn: 'y' })), 'no column named "y"');
});

s('rejects a label column index past the last column', async () => {
  assert.match(
    await userErrorOf(() => load({ path: csv('a,b\n1,0\n'), labelColumn: 2 })),
    'labelColumn is 2 (0-based) but lines have 2 columns',
  );
});

s('splits by testFraction: 10 rows at 0.3 give 7 train and 3 test, disjoint', async () => {
  const path = csv('l,id\n' + Array.from({ length: 10 }, (_, i) => `${i % 2},${i}`).join('\n'));
  const data = await load({ path, testFraction: 0.3 });
  assert.is(data.train.count, 7);
  assert.is(data.test?.count, 3);
  const ids = [...floatInputs(data.train.inputs), ...floatInputs(data.test?.inputs ?? new Float32Array(0))].sort(
    (a, b) => a - b,
  );
  assert.equal(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

s('splits the same way for the same seed and differently for another', async () => {
  const path = csv('l,id\n' + Array.from({ length: 50 }, (_, i) => `0,${i}`).join('\n'));
  const a = await load({ path, testFraction: 0.2 }, 7);
  assert.equal(await load({ path, testFraction: 0.2 }, 7), a);
  assert.not.equal(
    Array.from(floatInputs((await load({ path, testFraction: 0.2 }, 8)).test?.inputs ?? new Float32Array(0))),
    Array.from(floatInputs(a.test?.inputs ?? new Float32Array(0))),
  );
});

s('rejects a testFraction that leaves no test rows', async () => {
  assert.match(
    await userErrorOf(() => load({ path: csv('l,a\n0,1\n1,1\n'), testFraction: 0.1 })),
    'leaves no test rows',
  );
});

s('reads testPath as the test split; classes span both files', async () => {
  const data = await load({ path: csv('l,a\n0,1\n1,2\n'), testPath: csv('l,a\n3,5\n') });
  assert.equal(Array.from(floatInputs(data.test?.inputs ?? new Float32Array(0))), [5]);
  assert.is(data.classes, 4);
});

s.run();
