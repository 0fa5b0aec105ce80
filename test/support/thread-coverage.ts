/**
 * Step 2 of `npm run coverage`, between c8 collecting the V8 coverage of the tests and c8 reporting
 * it: gives the scripts a worker thread ran a name of their own.
 *
 * Why: a worker thread loads the project's modules as CommonJS (piscina `require`s its worker file,
 * and Node 20 runs tsx's ESM hooks on the main thread only, so tsx's require hook compiles them),
 * while main threads load the same files as ES modules: two different compiled scripts under one
 * URL. c8 merges the raw V8 counts of all processes and threads BY URL before it maps them back to
 * the TypeScript through the source maps, so the byte offsets of one compiled version were applied
 * to the other: most of what the tests covered in their main threads was lost for every module
 * that a worker thread also ran (line coverage read 91.1% where the tests covered 94.2%). Renamed
 * `<file>.ts.thread`, a worker thread's script is merged only with the other threads' (the same
 * CommonJS code), mapped through its own source map, and the two results meet in the per-line
 * TypeScript report, where merging is sound. (c8 must then filter files after the remapping:
 * `--exclude-after-remap`.)
 *
 * V8 names its files `coverage-<pid>-<time>-<threadId>.json`; thread 0 is the main thread.
 * Usage: node --import tsx test/support/thread-coverage.ts [coverage/tmp]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ScriptCoverage {
  url: string;
}

interface RawCoverage {
  result: ScriptCoverage[];
  'source-map-cache'?: Record<string, unknown>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sources = pathToFileURL(join(repoRoot, 'src')).href + '/';

/** The name of a worker thread's compiled script of a project source; any other URL unchanged. */
export function threadScriptUrl(url: string): string {
  return url.startsWith(sources) && url.endsWith('.ts') ? `${url}.thread` : url;
}

/** True for a coverage file a worker thread wrote (its thread id is not 0). */
export function isWorkerThreadFile(name: string): boolean {
  const threadId = /^coverage-\d+-\d+-(\d+)\.json$/.exec(name)?.[1];
  return threadId !== undefined && threadId !== '0';
}

/** Renames the worker threads' scripts (and their source maps) in the coverage files of `dir`; returns their count. */
export function renameThreadScripts(dir: string): number {
  let count = 0;
  for (const name of readdirSync(dir).filter(isWorkerThreadFile)) {
    const file = join(dir, name);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as RawCoverage;
    for (const script of raw.result) script.url = threadScriptUrl(script.url);
    const maps = raw['source-map-cache'];
    if (maps)
      raw['source-map-cache'] = Object.fromEntries(Object.entries(maps).map(([u, m]) => [threadScriptUrl(u), m]));
    writeFileSync(file, JSON.stringify(raw));
    count++;
  }
  return count;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? join(repoRoot, 'coverage', 'tmp');
  console.log(`thread-coverage: renamed the worker threads' scripts in ${renameThreadScripts(dir)} files`);
}
