/**
 * What a command needs from the process, passed in so that a test can call a command's `main` in-process
 * with fake streams, a fake working directory and environment, and read its exit code.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

/** Where a command writes: a stream, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
  /** A terminal (progress bars are drawn only there). */
  readonly isTTY?: boolean;
  /** The terminal's width in characters. */
  readonly columns?: number;
  /** A terminal emits `resize` when its width changes (the progress bar redraws at the new width). */
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  /** The process's working directory. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * True when the command is the whole process (run as a script): it may free what only a process
   * that trains no more can let go (idle worker threads, a finished run's memory) before its last
   * phase. False (unset) for a command called in a longer-lived process: a script, the tests.
   */
  readonly ownsProcess?: boolean;
}

/** A command: arguments (without `node script`) in, exit code out (0 done, 1 failed, 2 bad input). */
export type Main = (argv: string[], io: Io) => Promise<number>;

/**
 * The directory the user typed the command in: relative paths on the command line and in configs
 * resolve against it. `npm run` starts scripts in the package root and passes the user's directory
 * as INIT_CWD.
 */
export function workingDir(io: Io): string {
  return resolve(io.cwd, io.env.INIT_CWD || '.');
}

/**
 * A path the user gave, made usable by this process: unchanged when it already means the same file
 * here (messages then show it as typed), else absolute.
 */
export function userPath(io: Io, path: string): string {
  const absolute = resolve(workingDir(io), path);
  return absolute === resolve(path) ? path : absolute;
}

/**
 * Runs a command's body and turns what the user can act on into `✖` lines on stderr, never a stack:
 * a UserError (bad input: its exit code, 2 unless it says otherwise) or an error of the system
 * (disk full, permission denied, a directory where a file should be: exit 1). Anything else is a
 * bug and is thrown on with its stack.
 */
export async function runCommand(io: Io, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr.write((error.message.startsWith('✖') ? error.message : `✖ ${error.message}`) + '\n');
      return error.exitCode;
    }
    const system = systemErrorLine(error);
    if (system === null) throw error;
    io.stderr.write(system + '\n');
    return 1;
  }
}

/** `✖ cannot open: no space left on device (ENOSPC) → at runs/x/model.safetensors`, or null if not a system error. */
function systemErrorLine(error: unknown): string | null {
  const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  // Node's message reads "ENOSPC: no space left on device, write" – keep the human part.
  const reason = (error as Error).message.match(/^E[A-Z]+: ([^,]+)/)?.[1] ?? code;
  return `✖ ${syscall} failed: ${reason} (${code})${path ? ` → at ${path}` : ''}`;
}

/**
 * The real process as an Io. A reader that goes away (`--json | head -1`, a closed ssh session)
 * makes stdout fail; that must not end a training run, whose record is the run directory: later
 * output is dropped. A pipe's reader leaving is normal (EPIPE) and goes unmentioned; any other
 * failure is reported once on stderr.
 */
export function processIo(): Io {
  let closed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (error.code !== 'EPIPE') process.stderr.write(`✖ stdout failed (${error.code}); output to it stops\n`);
  });
  process.stderr.on('error', () => {}); // nowhere left to report it
  const stdout: Output = {
    write: (text: string) => closed || process.stdout.write(text),
    get isTTY() {
      return process.stdout.isTTY;
    },
    get columns() {
      return process.stdout.columns;
    },
    on: (event, listener) => process.stdout.on(event, listener),
    off: (event, listener) => process.stdout.off(event, listener),
  };
  return { stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, ownsProcess: true };
}

/** True when the module at `moduleUrl` is the script node was started with (not imported by a test). */
export function isScript(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Runs `main` for a script started from the command line: its exit code becomes the process's. */
export async function runScript(main: Main): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
