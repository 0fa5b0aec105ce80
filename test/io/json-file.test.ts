import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readJsonFile } from '../../src/io/json-file.ts';
import { userErrorOf } from '../support/errors.ts';
import { tempDir } from '../support/temp.ts';

const s = suite('reading a JSON file');

s('1,500 nested arrays are refused by name (the graph and gradcheck code recursed into a stack overflow)', async () => {
  const file = join(tempDir(), 'deep.json');
  writeFileSync(file, '{"x":' + '['.repeat(1500) + ']'.repeat(1500) + '}');
  const error = await userErrorOf(() => readJsonFile(file, 'graph spec'));
  assert.is(error.message, `✖ graph spec nests 1501 levels deep; at most 64 → at ${file}`);
});

s('64 levels are read as they are', () => {
  const file = join(tempDir(), 'ok.json');
  writeFileSync(file, '['.repeat(63) + '{"a":1}' + ']'.repeat(63));
  let value = readJsonFile(file) as unknown;
  for (let i = 0; i < 63; i++) value = (value as unknown[])[0];
  assert.equal(value, { a: 1 });
});

s.run();
