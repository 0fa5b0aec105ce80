/**
 * JavaScript bundles of TypeScript modules, cached in the checkout and rebuilt when a source changes:
 * what lets a command (src/cli/launch.mjs) and a worker thread (src/train/worker-bundle.ts) run
 * without tsx's loader, which on Node 20 starts a second V8 isolate (a hooks thread, ~31 MB) and
 * transforms the whole module graph at every start (~28 MB, ~0.6–1 s of CPU).
 *
 * Plain JavaScript because the launcher runs it before any TypeScript loader exists. The bundle is
 * built with esbuild (the compiler tsx itself uses); beside it a list of its sources with their
 * content hashes, checked once per process (a few ms), so an edited source is never run from a stale
 * bundle. Packages stay imports (resolved from the checkout's node_modules as usual).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
/** Bumped when the build options change, so that older bundles count as stale. */
const BUILD_VERSION = 3;

/**
 * The path of a bundle of `source` in `cacheDir` made from its current sources, or null if it cannot
 * be built (no esbuild, a source that does not compile, a read-only checkout). Synchronous (for a
 * thread pool started in a constructor): esbuild's synchronous API takes no plugins, so every module
 * of the bundle sees the bundle's `import.meta.url`; worker modules must not locate files by it.
 */
export function currentBundleSync(source, cacheDir) {
  const paths = bundlePaths(source, cacheDir);
  if (isCurrent(paths)) return paths.bundle;
  try {
    prepareDir(cacheDir);
    const started = Date.now();
    const result = esbuild().buildSync(buildOptions(source));
    writeBundle(paths, result, started);
    return paths.bundle;
  } catch {
    return null;
  }
}

/**
 * As currentBundleSync, for a command: each module keeps its own `import.meta.url` (the URL of its
 * source file), so the modules that find files beside them (the wasm kernels, the worker modules,
 * the MNIST cache) and the `isScript` test of which module is the main script work as from source.
 */
export async function currentBundle(source, cacheDir) {
  const paths = bundlePaths(source, cacheDir);
  if (isCurrent(paths)) return paths.bundle;
  try {
    prepareDir(cacheDir);
    const started = Date.now();
    const plugins = [ownModuleUrls(dirname(paths.bundle))];
    const result = await esbuild().build({ ...buildOptions(source), plugins });
    writeBundle(paths, result, started);
    return paths.bundle;
  } catch {
    return null;
  }
}

function esbuild() {
  return createRequire(import.meta.url)('esbuild');
}

function buildOptions(source) {
  return {
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
  };
}

/** Fails at once when the cache cannot be written (a read-only checkout), before a build that would be wasted. */
function prepareDir(cacheDir) {
  mkdirSync(cacheDir, { recursive: true });
  accessSync(cacheDir, constants.W_OK);
}

/**
 * An esbuild plugin that replaces `import.meta.url` in each of the checkout's modules by its source
 * file's URL, written relative to the bundle's own URL: the bundle stays correct wherever the checkout
 * is moved, as long as the cache moves with it.
 */
function ownModuleUrls(bundleDir) {
  // Spelled in pieces: this file is itself bundled into the commands, and the plugin would rewrite the literal.
  const moduleUrl = ['import', 'meta', 'url'].join('.');
  return {
    name: 'own-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(moduleUrl)) return undefined;
        const path = relative(bundleDir, args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(path)}, ${moduleUrl}).href`;
        return {
          contents: text.replaceAll(moduleUrl, url),
          loader: extname(args.path) === '.ts' ? 'ts' : 'js',
        };
      });
    },
  };
}

function bundlePaths(source, cacheDir) {
  const id = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const bundle = join(cacheDir, `${basename(source).replace(/\.[cm]?[jt]s$/, '')}-${id}.mjs`);
  return { bundle, sources: `${bundle}.sources.json` };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Content hashes of the given files (paths relative to the checkout), or null if one cannot be read. */
function hashes(files) {
  const result = { '#build': String(BUILD_VERSION) };
  try {
    for (const file of files) result[file] = sha256(readFileSync(join(root, file)));
  } catch {
    return null; // a source was deleted or renamed: the bundle is stale
  }
  return result;
}

/** The bundle's list names the current content of every source and of the bundle itself. */
function isCurrent({ bundle, sources }) {
  try {
    const recorded = JSON.parse(readFileSync(sources, 'utf8'));
    const now = hashes(Object.keys(recorded).filter((file) => !file.startsWith('#')));
    if (now === null) return false;
    now['#bundle'] = sha256(readFileSync(bundle));
    return JSON.stringify(now) === JSON.stringify(recorded);
  } catch {
    return false; // no bundle yet, or a damaged list
  }
}

/**
 * Each file is written under a temporary name and renamed, so a concurrent process never reads half
 * a file; the source list goes last and names the bundle's own hash, so a list paired with another
 * process's bundle counts as stale. A source edited while esbuild ran (its content is then unknown:
 * read before or after the edit) gets no list: the next start builds again.
 */
function writeBundle({ bundle, sources }, result, started) {
  const inputs = Object.keys(result.metafile.inputs); // paths relative to absWorkingDir
  const recorded = hashes(inputs);
  if (!recorded) throw new Error('a source was deleted during the build');
  const contents = result.outputFiles[0].contents;
  const temporary = `.${process.pid}-${process.hrtime.bigint()}`;
  writeFileSync(bundle + temporary, contents);
  renameSync(bundle + temporary, bundle);
  // Whole milliseconds after the start: a file saved just before it may carry the same millisecond.
  if (inputs.some((file) => Math.floor(statSync(join(root, file)).mtimeMs) > started)) return;
  recorded['#bundle'] = sha256(contents);
  writeFileSync(sources + temporary, JSON.stringify(recorded, null, 1));
  renameSync(sources + temporary, sources);
}
