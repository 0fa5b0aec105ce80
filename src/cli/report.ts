/**
 * npm run report -- runs/x                          writes runs/x/report.html
 * npm run report -- runs/a runs/b ... [--out FILE]  writes a comparison (default compare.html)
 * A self-contained HTML page (inline SVG charts, no script, nothing fetched). Bad input prints
 * `✖ message → at path` and exits 2; nothing is half-written.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.ts';
import { writeComparison } from '../report/compare-report.ts';
import { writeRunReport } from '../report/run-report.ts';

const USAGE = `usage: npm run report -- <run-dir> [<run-dir> ...] [--out FILE]

  one run directory     writes <run-dir>/report.html (or --out FILE)
  several directories   overlays their metrics, compares final metrics and configs,
                        writes compare.html (or --out FILE)

options:
  --out FILE   where to write the page
  --help       show this help
`;

export interface ReportIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Relative paths are resolved against this directory (npm sets INIT_CWD to where the command was typed). */
  readonly cwd: string;
}

const processIo: ReportIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.env.INIT_CWD ?? process.cwd(),
};

/** Runs the command; returns the exit code (0, or 2 for the user's mistakes, reported on stderr). */
export async function main(argv: string[], io: ReportIo = processIo): Promise<number> {
  try {
    const { values, positionals } = parseOptions(argv);
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UserError(`✖ no run directory given\n${USAGE.trimEnd()}`);
    // Paths as typed name the files in messages; only the file system sees them resolved.
    const dirs = positionals.map((dir) => relativeTo(io.cwd, dir));
    const out = values.out === undefined ? undefined : relativeTo(io.cwd, values.out);
    const written =
      dirs.length === 1
        ? await writeRunReport(dirs[0], out)
        : await writeComparison(dirs, out ?? relativeTo(io.cwd, 'compare.html'));
    io.stdout.write(`report: ${written}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr.write((error.message.startsWith('✖') ? error.message : `✖ ${error.message}`) + '\n');
    return error.exitCode;
  }
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UserError(`✖ unknown option '${flag}' → at ${flag}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UserError(`✖ ${flag} needs a value → at ${flag}`);
    throw new UserError(`✖ ${message}`);
  }
}

/** Keeps a relative path relative (so messages show it as typed) when the base is the process's own directory. */
function relativeTo(base: string, path: string): string {
  return resolve(base) === process.cwd() ? path : resolve(base, path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A closed stdout (`| head`) is not worth a stack trace: the report is written either way.
  process.stdout.on('error', () => {});
  process.exitCode = await main(process.argv.slice(2));
}
