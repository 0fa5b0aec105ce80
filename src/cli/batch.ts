/**
 * `npm run batch -- config.json`: trains the model a config describes and writes its run directory.
 * Bad input exits 2 with `✖ message → at path` lines before anything is written; a run that fails
 * (diverges, a step that keeps failing) exits 1; a run stopped by a signal writes a checkpoint and
 * exits 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), to be continued with --resume.
 */
import { readConfigFile } from '../config/load.ts';
import { MAX_WORKERS, type RunConfig } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { writeRunReport } from '../report/run-report.ts';
import { train, type TrainOptions, type TrainSummary } from '../train/train.ts';
import { selectionNote } from '../train/selection.ts';
import { integerFlag, parseCommand } from './args.ts';
import { fitFields } from './fit.ts';
import { formatCount, formatDuration, formatNumber } from './format.ts';
import { freeRunMemory } from './free-run-memory.ts';
import { gracefulStop } from './graceful-stop.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { parseUserConfig } from './paths.ts';
import { ProgressBar, formatEpoch } from './progress.ts';
import { startFields, startLine } from './start-line.ts';

export const command = {
  usage: 'npm run batch -- <config.json> [--workers N] [--out DIR] [--force | --resume] [--json] [--quiet]',
  about:
    'Trains the model a config describes and writes its run directory: run.json, config.json,\n' +
    'metrics.jsonl, model.safetensors, summary.json, checkpoints/. Relative paths, on the command\n' +
    'line and in the config, are resolved against the directory you run the command from.\n' +
    'Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the run after the current step with a checkpoint;\n' +
    'a second one exits at once. Continue with --resume (or npm run resume -- <run dir>).',
  flags: {
    workers: {
      type: 'string',
      value: 'N',
      description:
        `threads computing, 1 to ${MAX_WORKERS}, or auto (overrides parallel.workers; ` + 'the weights do not change)',
    },
    out: { type: 'string', value: 'DIR', description: 'the run directory (overrides output.dir)' },
    force: { type: 'boolean', description: 'replace a run already in the run directory' },
    resume: { type: 'boolean', description: 'continue the run in the run directory from its last checkpoint' },
    json: { type: 'boolean', description: 'print nothing but JSON lines: the config, one per epoch, the summary' },
    quiet: { type: 'boolean', description: 'print only the final line (with --json: the summary)' },
  },
  positionals: { min: 1, max: 1, name: 'config file' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    if (args.values.force && args.values.resume)
      throw new UserError('✖ --force and --resume exclude each other → at --resume');
    const workers = workersFlag(args.values.workers);
    const file = userPath(io, args.positionals[0]);
    const raw = readConfigFile(file);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new UserError(`✖ config file must hold a JSON object → at ${file}`);
    // Command-line overrides go through the same schema as the file, so errors name the field.
    const input = { ...(raw as Record<string, Record<string, unknown>>) };
    if (workers !== undefined) input.parallel = { ...input.parallel, workers };
    if (args.values.out !== undefined) input.output = { ...input.output, dir: args.values.out };
    const config = parseUserConfig(input, `config ${file}`, io);
    return runTraining(
      config,
      { source: `config ${file}`, force: args.values.force, resume: args.values.resume },
      { io, json: args.values.json, quiet: args.values.quiet },
    );
  });
}

/** `--workers N` or `--workers auto`; undefined when not given. */
export function workersFlag(text: string | undefined): number | 'auto' | undefined {
  return text === 'auto' ? 'auto' : integerFlag(text, 'workers', { min: 1, max: MAX_WORKERS });
}

/** Trains with progress on the terminal (or JSON lines), retries and warnings on stderr, graceful stop. */
export async function runTraining(
  config: RunConfig,
  options: Pick<TrainOptions, 'source' | 'force' | 'resume'>,
  { io, json, quiet = false }: { io: Io; json: boolean; quiet?: boolean },
): Promise<number> {
  const print = (line: string) => io.stdout.write(line + '\n');
  const bar = !json && !quiet && io.stdout.isTTY ? new ProgressBar(config.train.epochs, io.stdout) : null;
  const note = (line: string) => {
    bar?.clear(); // not after the live line, on its row
    io.stderr.write(line + '\n');
  };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const redraw = () => bar?.redraw();
  if (bar) io.stdout.on?.('resize', redraw);
  const stop = gracefulStop(note);
  try {
    const result = await train(config, {
      ...options,
      signal: stop.signal,
      onLoadingData() {
        if (!bar) return;
        bar.loading();
        ticker = setInterval(() => bar.loading(), 250);
        ticker.unref();
      },
      onStart(resolved, resumedFrom, run) {
        clearInterval(ticker);
        if (json && !quiet) print(JSON.stringify({ config: resolved, resumedFrom }));
        else if (bar) bar.line(fitFields(startFields(resolved, run, resumedFrom), bar.width, ' · '));
        else if (!json && !quiet) print(startLine(resolved, run, resumedFrom));
      },
      onStep: (p) => bar?.step(p),
      onEpoch(m) {
        if (json && !quiet) print(JSON.stringify(m));
        else if (bar) bar.epoch(m);
        else if (!json && !quiet) print(formatEpoch(m, config.train.epochs));
      },
      onRetry: (what, attempt, error) => note(`⚠ ${what} failed (attempt ${attempt}): ${error.message}; retrying`),
      onWarning: (message) => note(`⚠ ${message}`),
    });
    const { summary } = result;
    if (json) print(JSON.stringify({ summary }));
    if (summary.status === 'interrupted') {
      note(
        `stopped by ${stop.reason()} at global step ${summary.steps}: checkpoint and summary kept in ` +
          `${config.output.dir}; continue with npm run resume -- ${config.output.dir}`,
      );
      return stop.exitCode();
    }
    // The run's threads and arena go before the report loads its charting library (free-run-memory.ts);
    // a process that may train again (a script calling main, the tests) keeps its threads.
    if (io.ownsProcess) await freeRunMemory();
    const report = await writeRunReport(config.output.dir);
    if (!json) {
      if (!quiet) print(`report: ${report}`); // whole, even if it wraps: a path cut short is no use
      print(doneLine(config.output.dir, summary, config.train.earlyStopping?.metric));
    }
    return 0;
  } finally {
    clearInterval(ticker);
    io.stdout.off?.('resize', redraw);
    bar?.clear();
    stop.dispose();
  }
}

/** The last line of a run: where it is, how good, how fast, and what early stopping kept. */
export function doneLine(dir: string, summary: TrainSummary, stoppingMetric?: string): string {
  const orNa = (x: number | null | undefined) => (x == null ? 'n/a' : formatNumber(x));
  const accuracy =
    summary.testR2 !== undefined
      ? `test R² ${orNa(summary.testR2)}`
      : summary.testAccuracy !== null
        ? `test accuracy ${formatNumber(summary.testAccuracy)}`
        : `train accuracy ${orNa(summary.trainAccuracy)}`;
  const speed = summary.samplesPerSec === null ? '' : `, ${formatCount(summary.samplesPerSec)} samples/s`;
  const best = selectionNote(summary, stoppingMetric);
  return `done: ${dir} — ${accuracy}${speed}, ${formatDuration(summary.seconds)}${best}`;
}

if (isScript(import.meta.url)) await runScript(main);
