/** Shared by the run-directory tests: temp dirs, a pid that is surely gone, directory snapshots, child processes. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp.ts';
import { nodeArgs } from '../support/cli.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A fresh directory under the OS temp dir, removed when the process exits. */
export const tempRoot = (prefix = 'shardprop-io-'): string => tempDir(prefix);

/** The pid of a process that has already exited (pids are not reused this fast). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (!child.pid) throw new Error('could not start a child process');
  return child.pid;
}

/** Every entry under `dir` (recursively) with its kind, contents and modification time. */
export function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const stats = lstatSync(join(dir, name));
      const content = stats.isFile() ? readFileSync(join(dir, name), 'hex') : stats.isDirectory() ? 'dir' : 'other';
      return `${name} ${content} ${stats.mtimeMs}`;
    });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node ...nodeArgs(args)` from the repository root (a command through the launcher), output piped. */
export function startNode(args: string[]): ChildProcess {
  return spawn(process.execPath, nodeArgs(args), {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
}

/** Collects a child's output until it exits; kills it (and rejects) after `ms`. */
export function finished(child: ChildProcess, ms = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${child.spawnargs.join(' ')} still running after ${ms / 1000} s\n${stderr}`));
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `node ...nodeArgs(args)` to the end. */
export const runNode = (args: string[], ms?: number): Promise<Finished> => finished(startNode(args), ms);

/** Resolves with the child's stdout so far once it contains `text`. */
export function waitForOutput(child: ChildProcess, text: string, ms = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    child.stderr?.on('data', (chunk) => (errors += chunk));
    const timer = setTimeout(() => reject(new Error(`no "${text}" after ${ms / 1000} s: ${seen}\n${errors}`)), ms);
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before "${text}": ${seen}\n${errors}`));
    });
  });
}

let configs = 0;

/** Writes a tiny one-epoch spiral config into `dir` whose run goes to `out`; returns its path. */
export function configFile(dir: string, out: string): string {
  const file = join(dir, `config-${++configs}.json`);
  const config = {
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers: [{ type: 'affine', units: 8 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 1, batchSize: 32, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: { workers: 1, chunks: 2 },
    output: { dir: out },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}
