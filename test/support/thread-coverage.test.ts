import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './cli.ts';
import { tempDir } from './temp.ts';
import { isWorkerThreadFile, renameThreadScripts } from './thread-coverage.ts';

/**
 * Step 2 of `npm run coverage` (test/support/thread-coverage.ts): the scripts a worker thread ran
 * get a URL of their own, so c8 does not merge their counts with the main threads' different code.
 */
const s = suite('thread coverage');

const source = pathToFileURL(join(repoRoot, 'src/train/phase.ts')).href;
const dependency = pathToFileURL(join(repoRoot, 'node_modules/piscina/dist/index.js')).href;

function coverage(urls: string[]) {
  return {
    result: urls.map((url) => ({ scriptId: '1', url, functions: [] })),
    'source-map-cache': { [source]: { lineLengths: [10], data: { version: 3 } } },
  };
}

s('V8 coverage files are told apart by the thread id in their name (0: the main thread)', () => {
  assert.ok(isWorkerThreadFile('coverage-123-1796097352513-90.json'));
  assert.not.ok(isWorkerThreadFile('coverage-123-1796097352513-0.json'));
  assert.not.ok(isWorkerThreadFile('coverage-final.json'));
});

s("a worker thread's project sources are renamed with their source maps; the main thread's are kept", () => {
  const dir = tempDir('shardprop-thread-coverage-');
  const main = 'coverage-7-100-0.json';
  const worker = 'coverage-7-101-3.json';
  for (const name of [main, worker]) writeFileSync(join(dir, name), JSON.stringify(coverage([source, dependency])));
  writeFileSync(join(dir, 'notes.txt'), 'not coverage');

  assert.is(renameThreadScripts(dir), 1);
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  assert.equal(read(main), coverage([source, dependency]), 'main thread untouched');
  const renamed = read(worker);
  assert.equal(
    renamed.result.map((script: { url: string }) => script.url),
    [`${source}.thread`, dependency],
    'only the project source is renamed',
  );
  assert.equal(Object.keys(renamed['source-map-cache']), [`${source}.thread`]);
  assert.equal(renamed['source-map-cache'][`${source}.thread`], { lineLengths: [10], data: { version: 3 } });
  assert.equal(readdirSync(dir).sort(), [main, worker, 'notes.txt'].sort());
});

s.run();
