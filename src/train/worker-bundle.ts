import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

type PiscinaOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

/** How a worker thread loads its module: the file, and the node flags the thread starts with (else inherited). */
export interface WorkerEntry {
  readonly filename: string;
  readonly execArgv?: string[];
}

/**
 * Worker threads run a JavaScript bundle of their TypeScript module. A thread that loads the
 * source through tsx first registers the loader (its own hooks thread) and transforms every
 * module: ~0.3 s of CPU per thread, more than a small run's training, and paid again by every
 * pool a process starts (a sweep's trials, a retried step, each CLI run). The bundle loads in a
 * plain thread in a fraction of that.
 *
 * The bundle is built with esbuild (the compiler tsx itself uses) into data/.cache/workers/ the
 * first time a process needs it after any of its sources changed: beside it a list of its
 * sources with their content hashes, checked once per process (a few ms), so an edited source is
 * never run from a stale bundle. When the bundle cannot be built (no esbuild, a read-only
 * checkout) or while coverage is measured (c8 maps the sources, not a bundle), the thread loads
 * the source through tsx as before; so does `SHARDPROP_WORKER_BUNDLE=off` (e.g. to debug a worker
 * with the TypeScript file's line numbers).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const defaultCacheDir = join(root, 'data', '.cache', 'workers');
/** Bumped when the build options change, so that older bundles count as stale. */
const BUILD_VERSION = 1;
const entries = new Map<string, WorkerEntry>();

/** The entry for a worker module (a .ts file): its bundle when one is (or can be made) current. */
export function workerEntry(source: string): WorkerEntry {
  if (process.env.NODE_V8_COVERAGE || process.env.SHARDPROP_WORKER_BUNDLE === 'off') return { filename: source };
  let entry = entries.get(source);
  if (!entry) {
    const bundle = currentBundle(source, defaultCacheDir);
    entry = bundle ? { filename: bundle, execArgv: withoutTypeScriptLoader(process.execArgv) } : { filename: source };
    entries.set(source, entry);
  }
  return entry;
}

/**
 * A Piscina pool of `source`'s threads, from its bundle when there is one. Node refuses some options
 * (--trace-gc, V8 flags…) when they are listed for a thread, though not when inherited: then the
 * threads load the source, inheriting the process's options. When a thread loads the source, tsx's
 * disk cache is off: it does asynchronous file work that a terminated thread never finishes, and
 * every pool leaked ~10 descriptors per thread (EMFILE after ~300 runs in one process).
 */
export function startPiscina(source: string, options: PiscinaOptions): Piscina {
  const withEnv = { ...options, env: { ...process.env, TSX_DISABLE_CACHE: '1' } };
  try {
    return new Piscina({ ...withEnv, ...workerEntry(source) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Piscina({ ...withEnv, filename: source });
  }
}

/** The node flags of this process without the ones that load tsx (`--import tsx` and its spellings). */
export function withoutTypeScriptLoader(flags: readonly string[]): string[] {
  const loads = (flag: string) => /^(--import|--loader|--experimental-loader|--require|-r)=tsx/.test(flag);
  const kept: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (
      ['--import', '--loader', '--experimental-loader', '--require', '-r'].includes(flags[i]) &&
      flags[i + 1] === 'tsx'
    )
      i++;
    else if (!loads(flags[i])) kept.push(flags[i]);
  }
  return kept;
}

function bundlePaths(source: string, cacheDir: string) {
  const id = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const bundle = join(cacheDir, `${basename(source, '.ts')}-${id}.mjs`);
  return { bundle, sources: `${bundle}.sources.json` };
}

/** Content hashes of the given files (paths relative to the checkout), or null if one cannot be read. */
function hashes(files: string[]): Record<string, string> | null {
  const result: Record<string, string> = { '#build': String(BUILD_VERSION) };
  try {
    for (const file of files)
      result[file] = createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest('hex');
  } catch {
    return null; // a source was deleted or renamed: the bundle is stale
  }
  return result;
}

function isCurrent(sourcesFile: string): boolean {
  try {
    const recorded = JSON.parse(readFileSync(sourcesFile, 'utf8')) as Record<string, string>;
    const now = hashes(Object.keys(recorded).filter((file) => file !== '#build'));
    return now !== null && JSON.stringify(now) === JSON.stringify(recorded);
  } catch {
    return false; // no bundle yet, or a damaged list
  }
}

/** The path of a bundle of `source` in `cacheDir` made from its current sources, or null if it cannot be built. */
export function currentBundle(source: string, cacheDir: string): string | null {
  const { bundle, sources } = bundlePaths(source, cacheDir);
  if (isCurrent(sources)) return bundle;
  try {
    build(source, bundle, sources);
    return bundle;
  } catch {
    return null;
  }
}

/**
 * Bundles `source` and its relative imports (packages stay imports, resolved from the checkout's
 * node_modules). Each file is written under a temporary name and renamed, so a concurrent process
 * reads either the old pair or the new one; the source list goes last, after its bundle.
 */
function build(source: string, bundle: string, sourcesFile: string): void {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [source],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    packages: 'external',
    absWorkingDir: root,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const recorded = hashes(Object.keys(result.metafile!.inputs)); // paths relative to absWorkingDir
  if (!recorded) throw new Error('a source was deleted during the build');
  mkdirSync(dirname(bundle), { recursive: true });
  const temporary = `.${process.pid}-${process.hrtime.bigint()}`;
  writeFileSync(bundle + temporary, result.outputFiles[0].contents);
  renameSync(bundle + temporary, bundle);
  writeFileSync(sourcesFile + temporary, JSON.stringify(recorded, null, 1));
  renameSync(sourcesFile + temporary, sourcesFile);
}
