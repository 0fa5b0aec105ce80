/**
 * The command-line plumbing of eval, predict and export, with the names and behaviour of the
 * shared parser on the `cli` branch (src/cli/args.ts parseCommand, src/cli/io.ts runCommand, Io,
 * userPath): once that is on main, these commands import from there and this file goes.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';

export interface Output {
  write(text: string): unknown;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface StringFlag {
  readonly type: 'string';
  readonly value: string;
  readonly description: string;
  readonly default?: string;
}
export interface BooleanFlag {
  readonly type: 'boolean';
  readonly description: string;
}
export type Flags = Readonly<Record<string, StringFlag | BooleanFlag>>;

export interface Command<F extends Flags> {
  readonly usage: string;
  readonly about: string;
  readonly flags: F;
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string };
}

type Values<F extends Flags> = {
  [K in keyof F]: F[K] extends BooleanFlag ? boolean : F[K] extends { default: string } ? string : string | undefined;
};

/** Parses argv; null after printing the help (exit 0). Mistakes are `✖ … → at --flag` UserErrors. */
export function parseCommand<F extends Flags>(command: Command<F>, argv: string[], io: Io) {
  const options = Object.fromEntries(
    Object.entries(command.flags).map(([name, flag]) => [
      name,
      flag.type === 'string' && flag.default !== undefined
        ? { type: 'string', default: flag.default }
        : { type: flag.type },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const flag = /'(-[^' ]+)/.exec((error as Error).message)?.[1] ?? '';
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option '${flag}'`
        : /argument missing/.test((error as Error).message)
          ? `${flag} needs a value`
          : (error as Error).message;
    throw new UserError(`✖ ${what} → at ${flag || 'arguments'}\n✖ usage: ${command.usage}`);
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(command));
    return null;
  }
  const { min, max, name } = command.positionals;
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new UserError(`✖ expected ${expected} ${name}, got ${count}\n✖ usage: ${command.usage}`);
  }
  const values = { ...parsed.values } as Record<string, unknown>;
  delete values.help;
  for (const [flag, spec] of Object.entries(command.flags)) if (spec.type === 'boolean') values[flag] ??= false;
  return { values: values as Values<F>, positionals: parsed.positionals };
}

function helpText(command: Command<Flags>): string {
  const rows = Object.entries(command.flags).map(([name, flag]) => [
    flag.type === 'string' ? `--${name} ${flag.value}` : `--${name}`,
    flag.description + (flag.type === 'string' && flag.default !== undefined ? ` (default ${flag.default})` : ''),
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return (
    `usage: ${command.usage}\n\n${command.about}\n\nflags:\n` +
    rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('') +
    '\nexit codes: 0 done, 1 failed (see the message), 2 bad input (a ✖ line says what and where)\n'
  );
}

/** One of `choices`. */
export function choiceFlag<C extends string>(text: string, flag: string, choices: readonly C[]): C {
  const choice = choices.find((c) => c === text);
  if (choice === undefined)
    throw new UserError(`✖ --${flag} must be one of ${choices.join(', ')}, got "${text}" → at --${flag}`);
  return choice;
}

/** The user's directory: npm starts scripts in the package root and passes it as INIT_CWD. */
export function userPath(io: Io, path: string): string {
  const absolute = resolve(io.cwd, io.env.INIT_CWD || '.', path);
  return absolute === resolve(path) ? path : absolute;
}

/** Runs a command's body: a UserError becomes its `✖` lines on stderr and its exit code; a system error exit 1. */
export async function runCommand(io: Io, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr.write((error.message.startsWith('✖') ? error.message : `✖ ${error.message}`) + '\n');
      return error.exitCode;
    }
    const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
    if (typeof code !== 'string' || typeof syscall !== 'string' || !/^E[A-Z]+$/.test(code)) throw error;
    const reason = (error as Error).message.match(/^E[A-Z]+: ([^,]+)/)?.[1] ?? code;
    io.stderr.write(`✖ ${syscall} failed: ${reason} (${code})${path ? ` → at ${path}` : ''}\n`);
    return 1;
  }
}

export function processIo(): Io {
  let closed = false;
  process.stdout.on('error', () => (closed = true)); // a reader that went away (| head): drop the rest
  process.stderr.on('error', () => {});
  return {
    stdout: { write: (text: string) => closed || process.stdout.write(text) },
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** True when the module is the script node was started with (not imported by a test). */
export function isScript(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

export async function runScript(main: (argv: string[], io: Io) => Promise<number>): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
