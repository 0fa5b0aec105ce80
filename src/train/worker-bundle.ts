import { join } from 'node:path';
import { Piscina } from 'piscina';
import { currentBundleSync, root } from '../bundle/bundle-cache.mjs';

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
 * The bundle is built (src/bundle/bundle-cache.mjs, shared with the command launcher) into
 * data/.cache/workers/ the first time a process needs it after any of its sources changed. When the
 * bundle cannot be built (no esbuild, a read-only checkout) or while coverage is measured (c8 maps
 * the sources, not a bundle), the thread loads the source through tsx as before; so does
 * `SHARDPROP_WORKER_BUNDLE=off` (e.g. to debug a worker with the TypeScript file's line numbers).
 * A thread loading the source is given tsx's loader explicitly: a process started by the launcher
 * (src/cli/launch.mjs) runs without it, so the thread could not inherit it.
 */
const defaultCacheDir = join(root, 'data', '.cache', 'workers');
const entries = new Map<string, WorkerEntry>();

/** The entry for a worker module (a .ts file): its bundle when one is (or can be made) current. */
export function workerEntry(source: string): WorkerEntry {
  const plain = withoutTypeScriptLoader(process.execArgv);
  const fromSource = { filename: source, execArgv: [...plain, '--import', 'tsx'] };
  if (process.env.NODE_V8_COVERAGE || process.env.SHARDPROP_WORKER_BUNDLE === 'off') return fromSource;
  let entry = entries.get(source);
  if (!entry) {
    const bundle = currentBundleSync(source, defaultCacheDir);
    entry = bundle ? { filename: bundle, execArgv: plain } : fromSource;
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
