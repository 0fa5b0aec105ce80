import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readInputBlocks, type ReadOptions } from '../../src/use/input/read.ts';
import { tempDir, userErrorOf } from './helpers.ts';

/** Input files of rows for predict and eval: CSV, IDX and JSON, raw or gzipped, read in blocks. */
const s = suite('input rows');
const root = tempDir();
let serial = 0;
const file = (content: string | Uint8Array, gzip = false) => {
  const path = join(root, `input-${serial++}`);
  writeFileSync(path, gzip ? gzipSync(content) : content);
  return path;
};

async function read(path: string, options: Partial<ReadOptions> & { features: number }) {
  const rows: number[][] = [];
  const labels: (number | string)[] = [];
  const places: string[] = [];
  const sizes: number[] = [];
  for await (const block of readInputBlocks(path, { blockRows: 2, labels: 'optional', ...options })) {
    sizes.push(block.count);
    for (let i = 0; i < block.count; i++) {
      rows.push(Array.from(block.values.subarray(i * options.features, (i + 1) * options.features)));
      if (block.labels) labels.push(block.labels[i]);
      places.push(block.where(i));
    }
  }
  return { rows, labels, places, sizes };
}
const errorOf = async (path: string, options: Partial<ReadOptions> & { features: number }) =>
  (await userErrorOf(() => read(path, options))).message;

s('CSV: a header is recognised, blocks hold blockRows rows, places are file:line', async () => {
  const path = file('x,y\r\n1,2\r\n3.5,-4\r\n5e2,0\r\n');
  const { rows, places, sizes, labels } = await read(path, { features: 2 });
  assert.equal(rows, [
    [1, 2],
    [3.5, -4],
    [500, 0],
  ]);
  assert.equal(sizes, [2, 1]);
  assert.equal(places, [`${path}:2`, `${path}:3`, `${path}:4`]);
  assert.equal(labels, []);
});

s(
  'CSV: one column more than features is the label column (the run’s, by index or name), dropped or kept as labels',
  async () => {
    const path = file('1,2,0\n3,4,1\n');
    assert.equal((await read(path, { features: 2, labelColumn: 2, labels: 'required' })).labels, ['0', '1']);
    assert.equal((await read(path, { features: 2, labelColumn: 2 })).rows, [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(
      (await read(path, { features: 2 })).rows,
      [
        [2, 0],
        [4, 1],
      ],
      'column 0 by default',
    );
    const named = file('\uFEFFa,species,b\n1,setosa,2\n');
    const read2 = await read(named, { features: 2, labelColumn: 'species', namedLabels: true, labels: 'required' });
    assert.equal([read2.rows, read2.labels], [[[1, 2]], ['setosa']]);
    // Class names as labels: a first line whose only text is the label is data, not a header.
    const noHeader = file('setosa,1,2\n');
    assert.equal((await read(noHeader, { features: 2, namedLabels: true, labels: 'required' })).labels, ['setosa']);
  },
);

s('CSV errors name the file and line: columns, text, NaN, an empty line, a missing label column', async () => {
  const f = (text: string) => file(text);
  assert.match(await errorOf(f('1,2\n3\n'), { features: 2 }), /✖ 1 columns, the first line has 2 → at .*:2$/);
  assert.match(await errorOf(f('a,b\n1,x\n'), { features: 2 }), /column 2 \(b\): "x" is not a number → at .*:2$/);
  assert.match(await errorOf(f('1,NaN\n'), { features: 2 }), /column 2: NaN is not a finite number → at .*:1$/);
  assert.match(await errorOf(f('1,2\n\n3,4\n'), { features: 2 }), /empty line inside the data → at .*:2$/);
  assert.equal((await read(f('1,2\n3,4\n\n\n'), { features: 2 })).rows.length, 2, 'trailing empty lines are fine');
  assert.match(
    await errorOf(f('1,2,3,4\n'), { features: 2 }),
    /4 columns: the model takes 2 features \(3 columns with a label\) → at .*:1$/,
  );
  assert.match(
    await errorOf(f('1,2\n'), { features: 2, labels: 'required' }),
    /and no label column: evaluating needs the labels/,
  );
  assert.match(await errorOf(f(''), { features: 2 }), /no rows in the file/);
});

/** An IDX images file of `count` images of 2×2 pixels with values start, start + 1, … */
function idxImages(count: number, start = 0): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(2, 8);
  header.writeUInt32BE(2, 12);
  return Buffer.concat([header, Buffer.from(Array.from({ length: count * 4 }, (_, i) => (start + i) % 256))]);
}
function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

s('IDX images, raw or gzipped, with labels from an IDX labels file', async () => {
  for (const gzip of [false, true]) {
    const images = file(idxImages(3, 250), gzip);
    const labels = file(idxLabels([1, 0, 9]), gzip);
    const result = await read(images, { features: 4, labelsFile: labels, labels: 'required' });
    assert.equal(result.rows, [
      [250, 251, 252, 253],
      [254, 255, 0, 1],
      [2, 3, 4, 5],
    ]);
    assert.equal(result.labels, [1, 0, 9]);
    assert.equal(result.places[2], `${images} (sample index 2)`);
  }
});

s(
  'IDX errors: image size, truncated, extra bytes, label count, labels given as images, no labels for eval',
  async () => {
    assert.match(
      await errorOf(file(idxImages(2)), { features: 3 }),
      'images of 2×2 = 4 pixels; the model takes 3 features',
    );
    assert.match(
      await errorOf(file(idxImages(2)), { features: 4, shape: [1, 4, 1] }),
      '✖ images of 2×2; the model takes 4×1 images',
    );
    assert.match(
      await errorOf(file(idxImages(2)), { features: 4, shape: [4, 1, 1] }),
      '✖ images of 2×2; the model takes [4, 1, 1] images (IDX images have 1 channel)',
    );
    assert.equal((await read(file(idxImages(1)), { features: 4, shape: [1, 2, 2] })).rows, [[0, 1, 2, 3]]);
    assert.match(
      await errorOf(file(idxImages(2).subarray(0, 20)), { features: 4 }),
      'truncated: the header promises 2 images',
    );
    assert.match(
      await errorOf(file(Buffer.concat([idxImages(1), Buffer.from([0])])), { features: 4 }),
      'has extra bytes',
    );
    const two = file(idxImages(2));
    assert.match(await errorOf(two, { features: 4, labelsFile: file(idxLabels([1])) }), '2 images but 1 labels');
    assert.match(await errorOf(file(idxLabels([1])), { features: 4 }), 'an IDX labels file, not images');
    assert.match(await errorOf(two, { features: 4, labels: 'required' }), 'evaluating needs --labels FILE');
    assert.match(await errorOf(file('1,2\n'), { features: 2, labelsFile: two }), '--labels is for IDX images');
    assert.match(await errorOf(file(Buffer.from([0x1f, 0x8b, 1, 2, 3])), { features: 2 }), 'bad gzip data');
  },
);

s('JSON: an image model takes a row nested as its [channels][height][width], read channel-major', async () => {
  const image = { features: 6, shape: [2, 1, 3] };
  const nested = file('[[[[1, 2, 3]], [[4, 5, 6]]],\n [1, 2, 3, 4, 5, 6]]');
  assert.equal((await read(nested, image)).rows, [
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 4, 5, 6],
  ]);
  const takes = 'the model takes 6 features (a flat row, or nested as [2][1][3])';
  const ragged = file('[[[[1, 2, 3]], [[4, 5]]]]');
  assert.match(await errorOf(ragged, image), `✖ row 0 is nested as [2][1][3], but its [1][0] holds 2 values; ${takes}`);
  const other = file('[[[[1, 2, 3]]]]');
  assert.match(await errorOf(other, image), `✖ row 0 is nested as [1][1][3]; ${takes}`);
  assert.match(await errorOf(file('[[[[1, 2, "3"]], [[4, 5, 6]]]]'), image), '✖ row 0, feature 2: "3" is not a number');
  assert.match(await errorOf(nested, { features: 6 }), '✖ row 0 is nested as [2][1][3]; the model takes 6 features →');
  // [2, 1, 1] images nest two one-value arrays, a row as long as a flat one.
  const pixels = { features: 2, shape: [2, 1, 1] };
  assert.equal((await read(file('[[[[7]], [[8]]], [9, 10]]'), pixels)).rows, [
    [7, 8],
    [9, 10],
  ]);
});

s('JSON: an array of rows or {rows, labels}; errors name the line the row starts on', async () => {
  assert.equal((await read(file('[[1, 2], [3, 4]]'), { features: 2 })).rows, [
    [1, 2],
    [3, 4],
  ]);
  const path = file('{\n  "rows": [\n    [1, 2],\n    [3,\n     4]\n  ],\n  "labels": ["a", 1]\n}\n');
  const result = await read(path, { features: 2, labels: 'required' });
  assert.equal(
    [result.rows, result.labels],
    [
      [
        [1, 2],
        [3, 4],
      ],
      ['a', 1],
    ],
  );
  assert.equal(result.places, [`${path}:3`, `${path}:4`]);
  const bad = file('{"labels": [0, 1],\n "rows": [[1, 2],\n  [3, "x"]]}');
  assert.match(await errorOf(bad, { features: 2 }), /row 1, feature 1: "x" is not a number → at .*:3$/);
  assert.match(
    await errorOf(file('[[1, 2],\n [3]]'), { features: 2 }),
    /row 1 is 1 values; the model takes 2 features → at .*:2$/,
  );
  assert.match(await errorOf(file('[[1, 2]'), { features: 2 }), 'not valid JSON');
  assert.match(await errorOf(file('{"rows": [[1, 2]], "label": [1]}'), { features: 2 }), 'unknown key "label"');
  assert.match(await errorOf(file('[[1, 2]]'), { features: 2, labels: 'required' }), 'no labels: evaluating needs');
  assert.match(await errorOf(file('{"rows": [[1, 2]], "labels": [1, 2]}'), { features: 2 }), '2 labels for 1 rows');
});

s('a file that is not there, a directory, or binary data of no known kind', async () => {
  assert.match(await errorOf(join(root, 'nope.csv'), { features: 2 }), 'input file not found');
  assert.match(await errorOf(root, { features: 2 }), 'not a file');
  assert.match(await errorOf(file(Buffer.from([1, 2, 0, 4, 5])), { features: 2 }), 'not CSV, JSON or IDX images');
});

s.run();
