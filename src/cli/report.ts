/**
 * npm run report -- runs/x                          writes runs/x/report.html
 * npm run report -- runs/a runs/b ... [--out FILE]  writes a comparison (default compare.html)
 * A self-contained HTML page (inline SVG charts, no script, nothing fetched). Bad input prints
 * `✖ message → at path` and exits 2; nothing is half-written.
 */
import { writeComparison } from '../report/compare-report.ts';
import { writeRunReport } from '../report/run-report.ts';
import { parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';

export const command = {
  usage: 'npm run report -- <run-dir> [<run-dir> ...] [--out FILE]',
  about:
    'One run directory: writes <run-dir>/report.html (or --out FILE). Several: overlays their\n' +
    'metrics, compares their final metrics and configs, and writes compare.html (or --out FILE).\n' +
    'A self-contained page: inline SVG charts, no script, nothing fetched.',
  flags: {
    out: { type: 'string', value: 'FILE', description: 'where to write the page' },
  },
  positionals: { min: 1, max: Infinity, name: 'run directory' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    // Paths as typed name the files in messages; only the file system sees them resolved.
    const dirs = args.positionals.map((dir) => userPath(io, dir));
    const out = args.values.out === undefined ? undefined : userPath(io, args.values.out);
    const written =
      dirs.length === 1
        ? await writeRunReport(dirs[0], out)
        : await writeComparison(dirs, out ?? userPath(io, 'compare.html'));
    io.stdout.write(`report: ${written}\n`);
  });
}

if (isScript(import.meta.url)) await runScript(main);
