/**
 * CSV files are read a chunk at a time, so their size is not bounded by the longest string V8
 * makes (~512 MB). The mechanism is tested on small files with small chunks and a lowered limit.
 */
import { StringDecoder } from 'node:string_decoder';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCsv } from '../../src/data/csv.ts';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('csv read in chunks');
const dir = tempDir();
const options = { labelColumn: 'label', header: true, maxBytes: 2 ** 32, field: 'data.path' };

// A byte-order mark, two-byte and three-byte UTF-8 in the header, \r\n and \n endings, no final newline.
const text = '\uFEFFgröße,länge €,label\r\n1.5,-2,0\r\n3,4e2,1\n0.25,7,2';
const expected = { inputs: [1.5, -2, 3, 400, 0.25, 7], labels: [0, 1, 2] };

for (const [name, content] of [
  ['raw', Buffer.from(text)],
  ['gzipped', gzipSync(text)],
] as const) {
  s(`${name}: the same rows whatever the chunk size, lines and characters cut anywhere`, async () => {
    const path = writeTemp(dir, `chunks-${name}.csv`, content);
    for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      const table = await readCsv(path, { ...options, chunkBytes });
      assert.equal(Array.from(table.inputs), expected.inputs, `chunkBytes ${chunkBytes}`);
      assert.equal(Array.from(table.labels), expected.labels, `chunkBytes ${chunkBytes}`);
      assert.is(table.locate(1, 1), 'line 3, column 2 (länge €)');
    }
  });
}

s('loads a file longer than the longest string allowed (limit lowered to 4 KiB)', async () => {
  const rows = Array.from({ length: 2000 }, (_, i) => `${i},${i % 3}`);
  const path = writeTemp(dir, 'long.csv', ['x,label', ...rows].join('\n') + '\n'); // ~17 KB
  const limit = 4096;
  const toString = Buffer.prototype.toString;
  const write = StringDecoder.prototype.write;
  // Every way of turning file bytes into text refuses more than `limit` bytes at once, as V8 does
  // past ~512 MB: a reader that decodes the whole file fails.
  Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>) {
    if (this.length > limit) throw new RangeError('Invalid string length');
    return toString.apply(this, args);
  };
  StringDecoder.prototype.write = function (this: StringDecoder, buffer: Buffer) {
    if (buffer.length > limit) throw new RangeError('Invalid string length');
    return write.call(this, buffer);
  };
  try {
    const table = await readCsv(path, { ...options, chunkBytes: 1024 });
    assert.is(table.count, 2000);
    assert.is(table.inputs[1999], 1999);
    assert.is(table.labels[1999], 1999 % 3);
  } finally {
    Buffer.prototype.toString = toString;
    StringDecoder.prototype.write = write;
  }
});

const load = (input: object, maxBytes?: number) =>
  loadDataset(dataConfigSchema.parse({ source: 'csv', labelColumn: 'label', ...input }), 1, { maxBytes });

s('stops at the line where the rows no longer fit, naming the file and what fits', async () => {
  const path = writeTemp(dir, 'ten.csv', 'a,b,label\n' + '1,2,0\n'.repeat(10));
  // A row of 2 features takes (2 + target + order) × 4 = 16 bytes: 6 rows fit in 100.
  const message = await userErrorOf(() => load({ path }, 100));
  assert.match(message, `data ${path} (at line 8): 7 rows of 2 features need 112 bytes of shared memory`);
  assert.match(message, 'more than the 100 bytes a run can hold: only the first 6 rows fit: use a smaller file');
  assert.match(message, '→ at data.path');
  assert.is((await load({ path }, 160)).train.count, 10);
});

s('a test file gets what the training file leaves', async () => {
  const path = writeTemp(dir, 'five.csv', 'a,b,label\n' + '1,2,0\n'.repeat(5));
  const testPath = writeTemp(dir, 'five-test.csv', 'a,b,label\n' + '1,2,1\n'.repeat(5));
  // 5 training rows take 80 bytes; a test row takes 12 (no order entry): 1 fits in the 20 left.
  const message = await userErrorOf(() => load({ path, testPath }, 100));
  assert.match(message, `data ${testPath} (at line 3): 2 test rows of 2 features need 24 bytes`);
  assert.match(message, '→ at data.testPath');
});

s.run();
