/** For the tests against a real Redis: REDIS_URL (set by .ci/redis.sh), sweep-worker processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeArgs } from '../support/cli.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The Redis to test against, or null after registering one test that says why the file is skipped;
 * that test fails when REQUIRE_REDIS=1 (CI starts Redis and must not skip silently).
 */
export function redisUrlOrSkip(s: Test, watchdogMs = 150_000): string | null {
  const url = process.env.REDIS_URL;
  if (url) {
    // A sweep that never ends (the submitter polls for ever) must fail the file, not hang the suite.
    setTimeout(() => {
      console.error(`✖ still running after ${watchdogMs / 1000} s (a sweep that never ended?): stopped`);
      process.exit(1);
    }, watchdogMs).unref();
    return url;
  }
  s('skipped: REDIS_URL is not set (source .ci/redis.sh to start a Redis)', () => {
    console.log('[report] skipped: REDIS_URL is not set');
    assert.is.not(process.env.REQUIRE_REDIS, '1', 'REQUIRE_REDIS=1, yet REDIS_URL is not set');
  });
  return null;
}

export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  output: () => string;
  /** Resolves once the worker listens for trials; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<void>;
}

export function startWorker(url: string, name: string, ...extra: string[]): WorkerProcess {
  const child = spawn(
    process.execPath,
    nodeArgs(['src/cli/sweep-worker.ts', '--queue', url, '--name', name, ...extra]),
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let onReady = () => {};
  let onExit = (_error: Error) => {};
  const ready = new Promise<void>((resolve, reject) => ((onReady = resolve), (onExit = reject)));
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (output.includes('waiting for trials')) onReady();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      onExit(new Error(`worker ${name} exited (${signal ?? code}) before it was ready:\n${output}`));
      resolve();
    }),
  );
  process.on('exit', () => child.kill('SIGKILL'));
  return { child, name, output: () => output, ready, exited };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition()` holds; throws after `ms` (a test must fail, not hang). */
export async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/** Rejects if `promise` has not settled after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
