import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bufferedSink, fileSink } from '../../src/use/output.ts';
import { userErrorOf } from '../support/errors.ts';
import { tempDir } from '../support/temp.ts';

/** Where `npm run predict` writes (src/use/output.ts): whole or not at all. */
const s = suite('prediction output');
const root = tempDir('shardprop-output-');
let serial = 0;
const freshDir = () => {
  const dir = join(root, `case-${serial++}`);
  mkdirSync(dir);
  return dir;
};

s('a file appears only at commit, with every row; an earlier file stays until then', () => {
  const dir = freshDir();
  const path = join(dir, 'predictions.csv');
  writeFileSync(path, 'old\n');
  const sink = fileSink(path);
  const row = 'x'.repeat(1023) + '\n';
  for (let i = 0; i < 1500; i++) sink.write(row); // 1.5 MiB: more than one flush
  assert.is(readFileSync(path, 'utf8'), 'old\n', 'before commit');
  sink.commit();
  assert.is(readFileSync(path, 'utf8'), row.repeat(1500));
  assert.equal(readdirSync(dir), ['predictions.csv'], 'no temporary file left');
  sink.abort(); // after commit: nothing to undo
  assert.is(readFileSync(path, 'utf8').length, 1500 * 1024);
});

s('abort leaves the earlier file as it was and removes the temporary one', () => {
  const dir = freshDir();
  const path = join(dir, 'predictions.csv');
  writeFileSync(path, 'old\n');
  const sink = fileSink(path);
  sink.write('new\n');
  sink.abort();
  assert.is(readFileSync(path, 'utf8'), 'old\n');
  assert.equal(readdirSync(dir), ['predictions.csv']);
});

s('the parent directories are created', () => {
  const path = join(freshDir(), 'a', 'b', 'out.jsonl');
  const sink = fileSink(path);
  sink.write('{}\n');
  sink.commit();
  assert.is(readFileSync(path, 'utf8'), '{}\n');
});

s('--out naming a directory is refused (exit 2), nothing written', () => {
  const dir = freshDir();
  const directory = userErrorOf(() => fileSink(dir));
  assert.is(directory.message, `✖ --out is a directory; give a file name → at ${dir}`);
  assert.is(directory.exitCode, 2);
  assert.equal(readdirSync(dir), []);
});

s('stdout gets the text in one write at commit, and nothing after an abort', () => {
  const writes: string[] = [];
  const sink = bufferedSink({ write: (text: string) => writes.push(text) });
  sink.write('a\n');
  sink.write('b\n');
  assert.equal(writes, []);
  sink.commit();
  assert.equal(writes, ['a\nb\n']);
  sink.write('c\n');
  sink.abort();
  sink.commit();
  assert.equal(writes, ['a\nb\n', ''], 'the aborted text is gone');
});

s.run();
