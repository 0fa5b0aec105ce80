/** CSV regression targets (data.targetColumns): validation, the rows they give, the bundled files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { regressionCsv } from '../../src/data/bundled-regression.ts';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { repoRoot } from '../support/cli.ts';
import { tempDir, userErrorOf, writeTemp } from './helpers.ts';
import { floatInputs } from '../../src/data/inputs.ts';

const s = suite('csv regression targets');
const dir = tempDir();
let files = 0;
const csv = (text: string): string => writeTemp(dir, `r${files++}.csv`, text);
const parse = (input: object) => dataConfigSchema.safeParse({ source: 'csv', ...input });
const load = (input: object, seed = 1) => loadDataset(dataConfigSchema.parse({ source: 'csv', ...input }), seed);
const issue = (input: object) => {
  const result = parse(input);
  assert.not.ok(result.success, 'expected a config error');
  return result.error!.issues.map((i) => `${i.message} → at ${i.path.join('.')}`).join('\n');
};

s('the config: targetColumns by name or index, validated; a classifier keeps labelColumn 0 by default', () => {
  const path = csv('a,b,y\n1,2,3\n');
  const parsed = parse({ path, targetColumns: ['y', 0] });
  assert.ok(parsed.success);
  assert.not.ok('labelColumn' in parsed.data!, 'a regressor has no label column');
  const classifier = parse({ path });
  assert.is((classifier.data as { labelColumn: number }).labelColumn, 0);
  assert.match(issue({ path, targetColumns: ['y'], labelColumn: 0 }), 'not both → at targetColumns');
  assert.match(issue({ path, targetColumns: [] }), 'targetColumns');
  assert.match(issue({ path, targetColumns: ['y', 'y'] }), 'lists a column twice → at targetColumns');
  assert.match(issue({ path, targetColumns: ['y'], header: false }), 'need header: true → at targetColumns');
  assert.match(issue({ path, targetColumns: [2], classes: 3 }), 'has none → at classes');
  assert.match(issue({ path, targetColumns: [-1] }), 'targetColumns.0');
});

s('targets are taken out of the row; every other column is a feature, in file order', async () => {
  const path = csv('y,a,z,b\n10,1,20,2\n11,3,21,4\n12,5,22,6\n');
  const data = await load({ path, targetColumns: ['z', 0], normalize: 'none' });
  assert.is(data.task, 'regression');
  assert.is(data.features, 2);
  assert.is(data.targetWidth, 2);
  assert.equal(data.targetNames, ['z', 'y']);
  assert.is(data.classes, 0);
  assert.equal(Array.from(floatInputs(data.train.inputs)), [1, 2, 3, 4, 5, 6]);
  assert.equal(Array.from(data.train.targets), [20, 10, 21, 11, 22, 12]);
  // Without a header: indices, named "column N".
  const bare = await load({ path: csv('1,2,3\n4,5,6\n'), header: false, targetColumns: [1] });
  assert.equal(bare.targetNames, ['column 2']);
  assert.equal(Array.from(bare.train.targets), [2, 5]);
});

s('a seeded split keeps each row’s targets with its features', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i},${2 * i},${-i}`);
  const data = await load({ path: csv(['x,y,z', ...rows].join('\n')), targetColumns: ['y', 'z'], testFraction: 0.3 });
  for (const split of [data.train, data.test!]) {
    for (let i = 0; i < split.count; i++) {
      const x = floatInputs(split.inputs)[i];
      assert.equal([split.targets[2 * i], split.targets[2 * i + 1]], [2 * x, -x]);
    }
  }
});

s('bad targets and columns are named by file, line and column', async () => {
  const path = csv('a,y\n1,2\n3,oops\n');
  assert.match(await userErrorOf(() => load({ path, targetColumns: ['y'] })), `${path} line 3, column 2 (y): "oops"`);
  assert.match(
    await userErrorOf(() => load({ path: csv('a,y\n1,NaN\n'), targetColumns: ['y'] })),
    'line 2: target 0 is NaN',
  );
  assert.match(await userErrorOf(() => load({ path, targetColumns: ['w'] })), 'no column named "w"');
  assert.match(await userErrorOf(() => load({ path, targetColumns: [5] })), 'targetColumns has 5 (0-based)');
  assert.match(
    await userErrorOf(() => load({ path, targetColumns: ['a', 'y'] })),
    'needs at least 1 feature column besides 2 target columns',
  );
  assert.match(
    await userErrorOf(() => load({ path: csv('a,y\n1,2\n'), targetColumns: [1, 'y'] })),
    'column 2 (y) twice',
  );
});

s('data/regression.csv is exactly what src/data/bundled-regression.ts generates', () => {
  const bundled = readFileSync(join(repoRoot, 'data/regression.csv'), 'utf8');
  assert.ok(bundled === regressionCsv(), 'regenerate with node --import tsx src/data/bundled-regression.ts');
  // The generating function, checked on the first row: y = 3·x1 − 2·x2 + x1·x3 + 0.5 + ε, |ε| small.
  const [x1, x2, x3, y, z] = bundled.split('\n')[1].split(',').map(Number);
  assert.ok(Math.abs(y - (3 * x1 - 2 * x2 + x1 * x3 + 0.5)) < 0.5, `y ${y}`);
  assert.ok(Math.abs(z - (Math.sin(Math.PI * x1) + 0.5 * x2 * x2 - 0.25)) < 0.25, `z ${z}`);
});

s('data/iris.csv: the 150 rows of Fisher’s iris with species names, 50 of each', async () => {
  const data = await load({ path: join(repoRoot, 'data/iris.csv'), labelColumn: 'species', normalize: 'none' });
  assert.equal(data.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.is(data.train.count, 150);
  const counts = [0, 0, 0];
  for (const t of data.train.targets) counts[t]++;
  assert.equal(counts, [50, 50, 50]);
  // The first and last rows of the UCI file.
  assert.equal(Array.from(floatInputs(data.train.inputs).subarray(0, 4)), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  assert.equal(Array.from(floatInputs(data.train.inputs).subarray(149 * 4)), [5.9, 3, 5.1, 1.8].map(Math.fround));
  assert.is(data.train.targets[149], 2);
});

s.run();
