/**
 * The one argument parser of every command (node:util parseArgs, strict): flags are declared with a
 * description, `--help` / `-h` is added to each, and every mistake on the command line is a
 * UserError reading `✖ what is wrong → at --flag` (exit 2, no stack).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';
import type { Io } from './io.ts';
import { plural } from './words.ts';

export interface StringFlag {
  readonly type: 'string';
  /** What the value looks like in the help, e.g. `N` or `DIR`. */
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
  /** How to run it, e.g. `npm run graph -- <spec.json> [flags]`. */
  readonly usage: string;
  /** What it does, for `--help`. */
  readonly about: string;
  readonly flags: F;
  /** How many positional arguments it takes, and what one is called in errors (singular). */
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string };
}

type Values<F extends Flags> = {
  [K in keyof F]: F[K] extends BooleanFlag ? boolean : F[K] extends { default: string } ? string : string | undefined;
};

export interface Parsed<F extends Flags> {
  readonly values: Values<F>;
  readonly positionals: string[];
}

/**
 * Parses `argv` for `command`. Returns null after printing the help when asked for it (the
 * command then exits 0).
 */
export function parseCommand<F extends Flags>(command: Command<F>, argv: string[], io: Io): Parsed<F> | null {
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
    throw new UserError(`${parseError(error as Error, Object.keys(command.flags))}\n${usageLines(command.usage)}`);
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(command));
    return null;
  }
  const { min, max, name } = command.positionals;
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const expected =
      min === max
        ? plural(min, name)
        : max === Infinity
          ? `at least ${plural(min, name)}`
          : `${min} to ${plural(max, name)}`;
    throw new UserError(`✖ expected ${expected}, got ${count}\n${usageLines(command.usage)}`);
  }
  const values = { ...parsed.values } as Record<string, unknown>;
  delete values.help;
  for (const [flag, spec] of Object.entries(command.flags)) if (spec.type === 'boolean') values[flag] ??= false;
  return { values: values as Values<F>, positionals: parsed.positionals };
}

/** The usage under an error: a `✖ usage:` line per form of the command (stress has two). */
function usageLines(usage: string): string {
  return usage
    .split('\n')
    .map((form) => `✖ usage: ${form.trim()}`)
    .join('\n');
}

/**
 * For commands that keep their own help text (sweep, sweep-worker): the same strict parse and the
 * same `✖ … → at --flag` errors as parseCommand, from a plain parseArgs options table.
 */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${parseError(error as Error, Object.keys(options))}\n${usageLines(usage)}`);
  }
}

/** parseArgs' error as `✖ … → at --flag`. */
function parseError(error: Error, known: string[]): string {
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const close = closest(flag.replace(/^-+/, ''), [...known, 'help']);
    return `✖ unknown flag${close ? ` (did you mean --${close}?)` : ''} → at ${flag}`;
  }
  if (/does not take an argument/.test(error.message)) return `✖ ${flag} takes no value → at ${flag}`;
  if (/ambiguous/.test(error.message))
    return `✖ ${flag} needs a value; for one starting with "-" write ${flag}=VALUE → at ${flag}`;
  if (/argument missing/.test(error.message)) return `✖ ${flag} needs a value → at ${flag}`;
  return `✖ ${error.message}${flag ? ` → at ${flag}` : ''}`;
}

/** The known flag at edit distance ≤ 2 of `name`, if one is. */
function closest(name: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++)
        row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row;
    }
    return previous[b.length];
  };
  const best = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.k : undefined;
}

export function helpText(command: Command<Flags>): string {
  const rows = Object.entries(command.flags).map(([name, flag]) => {
    const left = flag.type === 'string' ? `--${name} ${flag.value}` : `--${name}`;
    const fallback = flag.type === 'string' && flag.default !== undefined ? ` (default ${flag.default})` : '';
    return [left, flag.description + fallback];
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return (
    `usage: ${command.usage}\n\n${command.about}\n\nflags:\n` +
    rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('') +
    '\nexit codes: 0 done, 1 failed (see the message), 2 bad input (a ✖ line says what and where)\n'
  );
}

/** A whole number flag in [min, max]; undefined when the flag was not given. */
export function integerFlag(
  text: string | undefined,
  flag: string,
  { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*[-+]?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UserError(`✖ --${flag} must be a whole number ${range}, got "${text}" → at --${flag}`);
  }
  return value;
}

/** A finite number flag, ≥ 0 (or > 0 with `positive`); undefined when the flag was not given. */
export function numberFlag(text: string | undefined, flag: string, { positive = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? NaN : Number(text);
  if (!(positive ? value > 0 : value >= 0) || value === Infinity)
    throw new UserError(`✖ --${flag} must be a number ${positive ? '> 0' : '≥ 0'}, got "${text}" → at --${flag}`);
  return value;
}

/** One of `choices`. */
export function choiceFlag<C extends string>(text: string, flag: string, choices: readonly C[]): C {
  const choice = choices.find((c) => c === text);
  if (choice === undefined)
    throw new UserError(`✖ --${flag} must be one of ${choices.join(', ')}, got "${text}" → at --${flag}`);
  return choice;
}

/** A comma-separated list of numbers, each checked by `check` (e.g. `0.03,0.1,0.3`). */
export function listFlag(text: string, flag: string, check: (item: string) => number): number[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new UserError(`✖ --${flag} must be a comma-separated list, got "${text}" → at --${flag}`);
  return items.map(check);
}
