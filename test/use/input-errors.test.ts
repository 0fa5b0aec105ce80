import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readInputBlocks, type ReadOptions } from '../../src/use/input/read.ts';
import { tempDir, userErrorOf } from './helpers.ts';

/**
 * Input files for predict and eval that cannot be used, beyond test/use/input.test.ts: a regressor's
 * targets (JSON `targets`, CSV target columns), labels that are not classes, a label column that is
 * not there. Each error is one `✖` line naming the file, and the line where it can.
 */
const s = suite('input file errors');
const root = tempDir();
let serial = 0;
const file = (content: string) => {
  const path = join(root, `input-${serial++}`);
  writeFileSync(path, content);
  return path;
};

type Options = Partial<ReadOptions> & { features: number };

async function targetsOf(path: string, options: Options): Promise<number[][]> {
  const rows: number[][] = [];
  for await (const block of readInputBlocks(path, { blockRows: 2, labels: 'optional', ...options })) {
    const width = block.targets!.length / block.count;
    for (let i = 0; i < block.count; i++) rows.push(Array.from(block.targets!.subarray(i * width, (i + 1) * width)));
  }
  return rows;
}

const errorOf = async (path: string, options: Options) => (await userErrorOf(() => targetsOf(path, options))).message;

/** A regressor with 2 features and the given target columns. */
const regressor = (targetColumns: (number | string)[]): Options => ({ features: 2, targetColumns });

s('JSON targets: a number per row for one output, an array per row for several', async () => {
  const one = file('{"rows": [[1, 2], [3, 4]], "targets": [0.5, -1]}');
  assert.equal(await targetsOf(one, regressor(['y'])), [[0.5], [-1]]);
  const two = file('{"rows": [[1, 2], [3, 4], [5, 6]], "targets": [[1, 2], [3, 4], [5, 6.5]]}');
  assert.equal(await targetsOf(two, regressor(['a', 'b'])), [
    [1, 2],
    [3, 4],
    [5, 6.5],
  ]);
});

s('JSON targets: a count, width or value that does not fit names the line', async () => {
  const path = (targets: string) => file(`{"rows": [[1, 2],\n [3, 4]],\n "targets": [\n${targets}]}`);
  assert.match(await errorOf(path('1'), regressor(['y'])), /✖ 1 targets for 2 rows → at .*:4$/);
  assert.match(
    await errorOf(path('[1, 2],\n[3]'), regressor(['a', 'b'])),
    /✖ target 1 has 1 values; the model gives 2 outputs → at .*:5$/,
  );
  assert.match(await errorOf(path('1,\n"2"'), regressor(['y'])), /✖ target 1: "2" is not a finite number → at .*:5$/);
  assert.match(await errorOf(path('1,\nnull'), regressor(['y'])), /✖ target 1: null is not a finite number/);
});

s('JSON: labels for a regressor, targets for a classifier, no targets for eval', async () => {
  const labelled = file('{"rows": [[1, 2]], "labels": [0]}');
  assert.match(await errorOf(labelled, regressor(['y'])), 'a regressor takes "targets", not "labels"');
  const targeted = file('{"rows": [[1, 2]], "targets": [0.5]}');
  assert.match(await errorOf(targeted, { features: 2 }), 'a classifier takes "labels", not "targets"');
  const bare = file('[[1, 2]]');
  assert.match(
    await errorOf(bare, { ...regressor(['y']), labels: 'required' }),
    'no targets: evaluating needs {"rows": [...], "targets": [...]}',
  );
});

s('JSON: a label that is not a class index or name; labels or rows that are not arrays', async () => {
  const path = file('{"rows": [[1, 2],\n [3, 4]],\n "labels": [1,\n [2]]}');
  const message = (
    await userErrorOf(async () => {
      for await (const _ of readInputBlocks(path, { features: 2, blockRows: 2, labels: 'optional' }));
    })
  ).message;
  assert.match(message, /✖ label 1 is \[2\], not a class → at .*:4$/);
  const shapeError = async (text: string) =>
    (
      await userErrorOf(async () => {
        for await (const _ of readInputBlocks(file(text), { features: 2, blockRows: 2, labels: 'optional' }));
      })
    ).message;
  assert.match(await shapeError('{"rows": [[1, 2]], "labels": 3}'), '"labels" must be an array');
  assert.match(await shapeError('{"rows": {"a": 1}}'), '"rows" must be an array of rows');
});

s('CSV: a regressor target column that is not there names the columns, or says there is no header', async () => {
  assert.equal(await targetsOf(file('x1,x2,y\n1,2,0.5\n'), regressor(['y'])), [[0.5]]);
  assert.match(
    await errorOf(file('x1,x2,y\n1,2,0.5\n'), regressor(['z'])),
    /✖ the target column "z" is not there: the columns are x1, x2, y → at .*:1$/,
  );
  assert.match(
    await errorOf(file('1,2,0.5\n'), regressor(['y'])),
    'the target column "y" is not there: there is no header line',
  );
  assert.match(await errorOf(file('1,2,0.5\n'), regressor([3])), 'the target column 3 is not there');
  assert.match(
    await errorOf(file('1,2\n'), { ...regressor(['y']), labels: 'required' }),
    '2 columns and no target columns: evaluating needs the targets',
  );
});

s('CSV: a label column beyond the line, or named but absent', async () => {
  const labels = async (content: string, labelColumn: number | string) =>
    (
      await userErrorOf(async () => {
        const options = { features: 2, blockRows: 2, labels: 'optional', labelColumn } as const;
        for await (const _ of readInputBlocks(file(content), options));
      })
    ).message;
  assert.match(await labels('1,2,0\n', 5), /✖ label column 5 \(0-based\) but lines have 3 columns → at .*:1$/);
  assert.match(
    await labels('a,b,class\n1,2,0\n', 'label'),
    'the label column "label" is not there: no column named "label" in (a, b, class)',
  );
  assert.match(await labels('1,2,0\n', 'label'), 'the label column "label" is not there: no header line');
});

s.run();
