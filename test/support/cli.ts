/**
 * Running commands in tests: in-process through their `main(argv, io)` with a fake io (fast; used
 * for flags and error output), or as a real child process (one smoke test per command).
 */
import { spawn } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { Io, Main } from '../../src/cli/io.ts';
import { COMMANDS, launcherFile } from '../../src/cli/launch.mjs';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface FakeIoOptions {
  /** Default: the repository root. */
  cwd?: string;
  /** Default: empty (no INIT_CWD: paths resolve against `cwd`). */
  env?: Record<string, string | undefined>;
  /** Make stdout a terminal of this width. */
  columns?: number;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An Io whose streams write into strings. */
export function fakeIo(options: FakeIoOptions = {}): { io: Io; stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const terminal = options.columns === undefined ? {} : { isTTY: true, columns: options.columns };
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text), ...terminal },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? {},
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}

/** Calls a command's main in this process and collects its exit code and output. */
export async function runMain(main: Main, argv: string[], options: FakeIoOptions = {}): Promise<CommandResult> {
  const { io, stdout, stderr } = fakeIo(options);
  const code = await main(argv, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

export interface ChildResult extends CommandResult {
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  seconds: number;
}

/**
 * Node's arguments to run `script args…` (a path from the repository root) as the npm scripts
 * do: a command's module through the launcher (src/cli/launch.mjs, ~1 s of CPU less per start than
 * tsx), any other script through tsx.
 */
export function nodeArgs([script, ...args]: string[]): string[] {
  const module = relative(repoRoot, resolve(repoRoot, script)).split(sep).join('/');
  const command = Object.keys(COMMANDS).find((name) => COMMANDS[name] === module);
  return command ? [launcherFile, command, ...args] : ['--import', 'tsx', script, ...args];
}

/**
 * Runs `node ...nodeArgs(args)` from the repository root as a user's shell would, without the
 * INIT_CWD that `npm test` passes on; kills it (and says so) after `timeoutMs`.
 */
export function runNode(args: string[], timeoutMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
    delete env.INIT_CWD;
    const child = spawn(process.execPath, nodeArgs(args), {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/**
 * Bad input as users must see it: exit 2, nothing on stdout, only `✖` lines on stderr (one of them
 * matching `expected`, and naming `→ at <at>` if given), no stack trace.
 */
export function assertBadInput(result: CommandResult, expected: RegExp | string, at?: string): void {
  assert.is(result.code, 2, `exit code; stderr:\n${result.stderr}`);
  assert.is(result.stdout, '', 'nothing on stdout');
  assertErrorLines(result.stderr);
  assert.match(result.stderr, expected);
  if (at !== undefined) assert.ok(result.stderr.includes(`→ at ${at}`), `names "→ at ${at}":\n${result.stderr}`);
}

/**
 * Every line of `stderr` is a `✖` line (or its `  → at path` continuation, as zod prints them); no
 * stack trace, no raw error class names.
 */
export function assertErrorLines(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  const ok = stderr !== '' && lines.every((line) => line.startsWith('✖') || /^\s+→ at /.test(line));
  assert.ok(ok, `only ✖ lines:\n${stderr}`);
  assert.not.match(stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace:\n${stderr}`);
  assert.not.match(stderr, /\b(TypeError|RangeError|ZodError)\b/);
}
