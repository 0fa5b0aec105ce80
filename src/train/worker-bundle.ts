/**
 * The trainer's worker module as one plain JavaScript file, so that pool threads start without the
 * TypeScript loader. Under `node --import tsx` (Node 20) every worker thread runs tsx's module hooks
 * on a hooks thread of its own — a second V8 isolate per worker — and transforms every module again:
 * ~35–45 MB and 0.3–0.8 s of CPU per thread, measured (docs/notes-rss.md). The file is built from the
 * sources by esbuild (the transformer tsx itself runs) once per process, named by its content in the
 * temporary directory: never stale, shared by concurrent processes. When it cannot be built, null:
 * the pool runs the TypeScript module through tsx as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const built = new Map<string, Promise<string | null>>();

/** The bundled module of `entry` (a .ts worker module), built on first use; null if esbuild fails. */
export function bundledWorker(entry: string): Promise<string | null> {
  let file = built.get(entry);
  if (!file) built.set(entry, (file = bundle(entry).catch(() => null)));
  return file;
}

async function bundle(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  // Once per process: the service (a child process and its buffers, ~5 MB here) is stopped after.
  const result = await esbuild
    .build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      plugins: [
        {
          // A module's import.meta.url (kernels/wasm.ts finds kernels.wasm by it) stays its own file's.
          name: 'own-import-meta-url',
          setup(build) {
            build.onLoad({ filter: /\.ts$/ }, ({ path }) => ({
              contents: readFileSync(path, 'utf8').replaceAll(
                'import.meta.url',
                JSON.stringify(pathToFileURL(path).href),
              ),
              loader: 'ts',
            }));
          },
        },
      ],
    })
    .finally(() => esbuild.stop());
  const code = result.outputFiles[0].text;
  const file = join(tmpdir(), `shardprop-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file); // whole or not at all, also with another process writing the same
  }
  return file;
}

/**
 * The Node options of this process minus those that load tsx (`--import tsx`, `--import=tsx`,
 * `--loader`…): for a thread running plain JavaScript; the others (memory limits…) are kept.
 */
export function execArgvWithoutTsx(execArgv: readonly string[]): string[] {
  const loads = /^--(import|loader|experimental-loader|require)$/;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const [flag, value] = execArgv[i].includes('=') ? execArgv[i].split(/=(.*)/s) : [execArgv[i], execArgv[i + 1]];
    if (loads.test(flag) && /\btsx\b/.test(value ?? '')) {
      if (!execArgv[i].includes('=')) i++;
      continue;
    }
    out.push(execArgv[i]);
  }
  return out;
}
