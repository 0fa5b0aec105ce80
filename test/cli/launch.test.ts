import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { currentBundle, currentBundleSync, root } from '../../src/bundle/bundle-cache.mjs';
import { main as batchMain } from '../../src/cli/batch.ts';
import { main as graphMain } from '../../src/cli/graph.ts';
import { entryFile, launcherFile } from '../../src/cli/launch.mjs';
import { assertErrorLines, runMain, type CommandResult } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

/**
 * The npm scripts start commands through src/cli/launch.mjs, which runs a command from a cached
 * bundle (src/bundle/bundle-cache.mjs) instead of through tsx: the bundle must follow its sources,
 * give each module its own import.meta.url, and the command must behave as when run from source.
 */
const s = suite('command launcher');

/** Sources: main.ts imports sub/where.ts; both export the import.meta.url they see. */
function writeSources(dir: string, value: number): { main: string; where: string } {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  const where = join(dir, 'sub', 'where.ts');
  writeFileSync(where, `export const where: string = import.meta.url;\nexport const value: number = ${value};\n`);
  const main = join(dir, 'main.ts');
  writeFileSync(main, "export { where, value } from './sub/where.ts';\nexport const here: string = import.meta.url;\n");
  return { main, where };
}

let imports = 0;
/** Imports a bundle afresh (a new URL each time: Node caches modules by URL). */
const load = (file: string) => import(`${pathToFileURL(file).href}?${++imports}`);

/** The launcher's two ways to run a command: from its bundle, and from source through tsx. */
const BOTH_WAYS: Record<string, string>[] = [{}, { SHARDPROP_CLI_BUNDLE: 'off' }];

/** Runs the launcher in a child process, from the repository root, with extra environment variables. */
function launch(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const child = spawn(process.execPath, [launcherFile, ...args], {
    cwd: root,
    env: { ...process.env, INIT_CWD: '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

s('a bundle is reused while its sources are unchanged, and rebuilt after an edit of an imported module', async () => {
  const [sources, cache] = [tempDir('shardprop-launch-src-'), tempDir('shardprop-launch-cache-')];
  const { main, where } = writeSources(sources, 1);
  const bundle = await currentBundle(main, cache);
  assert.ok(bundle, 'a bundle was built');
  assert.is((await load(bundle)).value, 1);
  const built = statSync(bundle).mtimeMs;

  assert.is(await currentBundle(main, cache), bundle);
  assert.is(statSync(bundle).mtimeMs, built, 'unchanged sources: the bundle is not written again');

  writeFileSync(where, 'export const where: string = import.meta.url;\nexport const value: number = 2;\n');
  assert.is(await currentBundle(main, cache), bundle);
  assert.is((await load(bundle)).value, 2, 'the edit is in the bundle');
});

s('a bundle replaced by the build of another process, or built while a source changed, counts as stale', async () => {
  const [sources, cache] = [tempDir('shardprop-launch-src-'), tempDir('shardprop-launch-cache-')];
  const { main, where } = writeSources(sources, 1);
  const bundle = (await currentBundle(main, cache))!;
  const built = readFileSync(bundle, 'utf8');
  writeFileSync(bundle, built.replace('value = 1', 'value = 3')); // a bundle without its own list
  assert.is(await currentBundle(main, cache), bundle);
  assert.is(readFileSync(bundle, 'utf8'), built, 'rebuilt from the sources');

  // A source dated after the build's start: esbuild may have read it before or after the change.
  const later = new Date(Date.now() + 60_000);
  utimesSync(where, later, later);
  const fresh = tempDir('shardprop-launch-cache-');
  const again = (await currentBundle(main, fresh))!;
  assert.is(readFileSync(again, 'utf8'), built, 'the same bundle (both caches are in the temp directory)');
  assert.not.ok(existsSync(`${again}.sources.json`), 'no list: the next start builds again');
  writeFileSync(again, '');
  await currentBundle(main, fresh);
  assert.is(readFileSync(again, 'utf8'), built, 'built again');
});

s('each module of a command bundle sees its own source file as import.meta.url', async () => {
  const [sources, cache] = [tempDir('shardprop-launch-src-'), tempDir('shardprop-launch-cache-')];
  const { main, where } = writeSources(sources, 1);
  const bundled = await load((await currentBundle(main, cache))!);
  assert.is(bundled.here, pathToFileURL(main).href);
  assert.is(bundled.where, pathToFileURL(where).href);
  // The control: a worker bundle (esbuild's synchronous API, no plugin) shares the bundle's URL.
  const plain = currentBundleSync(main, tempDir('shardprop-launch-cache-'))!;
  assert.is((await load(plain)).where.replace(/\?\d+$/, ''), pathToFileURL(plain).href);
});

s('no bundle when a source does not compile or the cache cannot be written', async () => {
  const dir = tempDir('shardprop-launch-bad-');
  const broken = join(dir, 'broken.ts');
  writeFileSync(broken, 'export const x = ;\n');
  assert.is(await currentBundle(broken, tempDir('shardprop-launch-cache-')), null);
  const { main } = writeSources(dir, 1);
  const notADir = join(dir, 'cache-file');
  writeFileSync(notADir, '');
  assert.is(await currentBundle(main, notADir), null, 'a file where the cache directory should be');
  assert.is(currentBundleSync(main, notADir), null);
});

s('two processes building one bundle at once leave one working bundle and its source list, nothing else', async () => {
  // Inside the checkout: the bundle imports packages from its node_modules.
  mkdirSync(join(root, 'data', '.cache'), { recursive: true });
  const cache = mkdtempSync(join(root, 'data', '.cache', 'launch-test-'));
  try {
    await concurrentBuilds(cache);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

async function concurrentBuilds(cache: string): Promise<void> {
  const source = join(root, 'src/cli/graph.ts');
  const core = pathToFileURL(join(root, 'src/bundle/bundle-cache.mjs')).href;
  const script =
    `const { currentBundle } = await import(${JSON.stringify(core)});` +
    `console.log(await currentBundle(${JSON.stringify(source)}, ${JSON.stringify(cache)}));`;
  const build = () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    return new Promise<string>((resolve) => child.on('close', () => resolve(stdout.trim())));
  };
  const [first, second] = await Promise.all([build(), build()]);
  assert.ok(first.endsWith('.mjs'), first);
  assert.is(second, first);
  assert.equal(readdirSync(cache).sort(), [basename(first), `${basename(first)}.sources.json`]);
  const built = statSync(first).mtimeMs;
  assert.is(await currentBundle(source, cache), first);
  assert.is(statSync(first).mtimeMs, built, 'its source list matches: reused');
  const args = ['data/graphs/apple-orange.json'];
  assert.equal(await runMain((await load(first)).main, args), await runMain(graphMain, args));
}

s('a command runs from its bundle in data/.cache/cli, or from source when told or under coverage', async () => {
  const bundled = await entryFile('src/cli/graph.ts', {});
  assert.is(bundled.source, join(root, 'src/cli/graph.ts'));
  assert.is(dirname(bundled.file), join(root, 'data', '.cache', 'cli'));
  assert.match(basename(bundled.file), /^graph-[0-9a-f]{12}\.mjs$/);
  assert.not.ok(bundled.typescript);
  for (const env of [{ SHARDPROP_CLI_BUNDLE: 'off' }, { NODE_V8_COVERAGE: '/tmp/x' }]) {
    const fromSource = await entryFile('src/cli/graph.ts', env);
    assert.equal(fromSource, { source: bundled.source, file: bundled.source, typescript: true });
  }
});

s('spawned: a command prints what its main prints in-process, from the bundle and from source', async () => {
  const args = ['data/graphs/apple-orange.json'];
  const expected = await runMain(graphMain, args);
  assert.is(expected.code, 0);
  for (const env of BOTH_WAYS) {
    const result = await launch(['graph', ...args], env);
    assert.equal(result, expected, JSON.stringify(env));
  }
});

s('spawned: a user error passes through with its exit code and ✖ lines, from the bundle and from source', async () => {
  const missing = join(tempDir('shardprop-launch-'), 'missing.json');
  const expected = await runMain(batchMain, [missing]);
  assert.is(expected.code, 2);
  for (const env of BOTH_WAYS) {
    const result = await launch(['batch', missing], env);
    assert.equal(result, expected, JSON.stringify(env));
  }
});

s('spawned: an unknown command exits 2 and names the commands', async () => {
  const result = await launch(['bach']);
  assert.is(result.code, 2);
  assertErrorLines(result.stderr);
  assert.match(result.stderr, /unknown command "bach": one of batch, bench, eval/);
});

s('spawned: without esbuild and tsx (no devDependencies) a command ends with one ✖ line, exit 1', async () => {
  // A checkout with the launcher and a command but no node_modules.
  const checkout = tempDir('shardprop-launch-bare-');
  for (const file of ['src/cli/launch.mjs', 'src/bundle/bundle-cache.mjs', 'src/cli/graph.ts']) {
    mkdirSync(join(checkout, dirname(file)), { recursive: true });
    copyFileSync(join(root, file), join(checkout, file));
  }
  const child = spawn(process.execPath, [join(checkout, 'src/cli/launch.mjs'), 'graph'], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.is(code, 1, stderr);
  assertErrorLines(stderr);
  assert.match(stderr, /cannot start graph: .*tsx is not installed/);
});

s('spawned: threads loading their TypeScript source train in a process the launcher started without tsx', async () => {
  const dir = tempDir('shardprop-launch-run-');
  const config = {
    name: 'launch-test',
    data: { source: 'synthetic', kind: 'spiral', n: 120 },
    model: { layers: [{ type: 'affine', units: 8 }, { type: 'tanh' }, { type: 'affine', units: 3 }] },
    train: { epochs: 1, batchSize: 30, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: { workers: 2, chunks: 2 },
    output: { dir: join(dir, 'run') },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const result = await launch(['batch', join(dir, 'config.json')], { SHARDPROP_WORKER_BUNDLE: 'off' });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /^done: /m);
});

s.run();
