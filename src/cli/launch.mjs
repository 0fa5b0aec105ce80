/**
 * `node src/cli/launch.mjs <command> [arguments…]`: how the npm scripts start a command. It runs the
 * command's module from a JavaScript bundle cached in data/.cache/cli/ (built on first use and after
 * any of its sources changed: src/bundle/bundle-cache.mjs), so the process needs no TypeScript
 * loader: on Node 20 tsx's hooks thread is a second V8 isolate (~31 MB) and it transforms the whole
 * module graph at every start (~28 MB, ~0.6–1 s of CPU).
 *
 * The module then sees the process as `node --import tsx src/cli/<command>.ts arguments…` would
 * show it (`process.argv`), so its `isScript` test, its exit code, signals and output behave as
 * before. It loads the source through tsx instead (in this process) when the bundle cannot be built
 * (no esbuild, a source that does not compile: tsx then reports the error; a read-only checkout),
 * while coverage is measured (c8 maps the sources), or with `SHARDPROP_CLI_BUNDLE=off`.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBundle, root } from '../bundle/bundle-cache.mjs';

/** Each command's module, relative to the checkout. */
export const COMMANDS = {
  batch: 'src/cli/batch.ts',
  bench: 'src/bench/bench.ts',
  eval: 'src/cli/eval.ts',
  export: 'src/cli/export.ts',
  gradcheck: 'src/cli/gradcheck.ts',
  graph: 'src/cli/graph.ts',
  predict: 'src/cli/predict.ts',
  report: 'src/cli/report.ts',
  resume: 'src/cli/resume.ts',
  stress: 'src/cli/stress.ts',
  sweep: 'src/cli/sweep.ts',
  'sweep-worker': 'src/cli/sweep-worker.ts',
  // Not a user's command: a sweep's trial-runner process (src/sweep/runner-pool.ts).
  'sweep-trial-runner': 'src/sweep/trial-runner.ts',
};

export const launcherFile = fileURLToPath(import.meta.url);
const cacheDir = join(root, 'data', '.cache', 'cli');

/**
 * The file to run `module` (a path relative to the checkout) from: its bundle, or the source when the
 * bundle is off or cannot be built (then `typescript` is true: the caller must load tsx first).
 */
export async function entryFile(module, env = process.env) {
  const source = join(root, module);
  const off = env.NODE_V8_COVERAGE || env.SHARDPROP_CLI_BUNDLE === 'off';
  const bundle = off ? null : await currentBundle(source, cacheDir);
  return bundle ? { source, file: bundle, typescript: false } : { source, file: source, typescript: true };
}

async function launch() {
  const [name, ...args] = process.argv.slice(2);
  const module = Object.hasOwn(COMMANDS, name ?? '') ? COMMANDS[name] : undefined;
  if (!module) {
    const names = Object.keys(COMMANDS).filter((command) => !command.startsWith('sweep-trial'));
    process.stderr.write(`✖ unknown command "${name ?? ''}": one of ${names.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const { source, file, typescript } = await entryFile(module);
  if (typescript && !(await loadTypeScript(name))) return;
  process.argv.splice(1, process.argv.length - 1, source, ...args);
  await import(pathToFileURL(file).href);
}

/** Registers tsx's loader in this process, as `--import tsx` does; false (and a ✖ line) when it is not installed. */
async function loadTypeScript(name) {
  try {
    await import('tsx');
    return true;
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      `✖ cannot start ${name}: its bundle could not be built and tsx is not installed ` +
        '(both come with the devDependencies: npm ci)\n',
    );
    process.exitCode = 1;
    return false;
  }
}

/** True when node was started with this file (not when a test imports it). */
function isMain() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(launcherFile);
  } catch {
    return false;
  }
}

if (isMain()) await launch();
