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
import { train, type TrainOptions } from '../train/train.ts';
import { integerFlag, parseCommand } from './args.ts';
import { gracefulStop } from './graceful-stop.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { parseUserConfig } from './paths.ts';
import { ProgressBar, formatEpoch } from './progress.ts';

export const command = {
  usage: 'npm run batch -- <config.json> [--workers N] [--out DIR] [--force | --resume] [--json]',
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
      description: `threads computing, 1 to ${MAX_WORKERS} (overrides parallel.workers; the weights do not change)`,
    },
    out: { type: 'string', value: 'DIR', description: 'the run directory (overrides output.dir)' },
    force: { type: 'boolean', description: 'replace a run already in the run directory' },
    resume: { type: 'boolean', description: 'continue the run in the run directory from its last checkpoint' },
    json: { type: 'boolean', description: 'print nothing but JSON lines: the config, one per epoch, the summary' },
  },
  positionals: { min: 1, max: 1, name: 'config file' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    if (args.values.force && args.values.resume)
      throw new UserError('✖ --force and --resume exclude each other → at --resume');
    const workers = integerFlag(args.values.workers, 'workers', { min: 1, max: MAX_WORKERS });
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
      {
        io,
        json: args.values.json,
      },
    );
  });
}

/** Trains with progress on the terminal (or JSON lines), retries and warnings on stderr, graceful stop. */
export async function runTraining(
  config: RunConfig,
  options: Pick<TrainOptions, 'source' | 'force' | 'resume'>,
  { io, json }: { io: Io; json: boolean },
): Promise<number> {
  const print = (line: string) => io.stdout.write(line + '\n');
  const note = (line: string) => io.stderr.write(line + '\n');
  const bar = !json && io.stdout.isTTY ? new ProgressBar(config.train.epochs, io.stdout) : null;
  const stop = gracefulStop(note);
  try {
    const result = await train(config, {
      ...options,
      signal: stop.signal,
      onStart(resolved, resumedFrom) {
        if (json) print(JSON.stringify({ config: resolved, resumedFrom }));
        else print(`shardprop: ${resolved.name}\n${JSON.stringify(resolved, null, 2)}`);
        if (resumedFrom && !json)
          print(
            `resuming at epoch ${resumedFrom.epoch}, step ${resumedFrom.stepInEpoch} (global step ${resumedFrom.step})`,
          );
      },
      onStep: (p) => bar?.step(p),
      onEpoch(m) {
        if (json) print(JSON.stringify(m));
        else if (bar) bar.epoch(m);
        else print(formatEpoch(m, config.train.epochs));
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
    const report = await writeRunReport(config.output.dir);
    if (!json) {
      print(`report: ${report}`);
      const speed = summary.samplesPerSec === null ? '' : `, ${Math.round(summary.samplesPerSec)} samples/s`;
      const score =
        summary.testR2 !== undefined
          ? `test R² ${summary.testR2 ?? 'n/a'}`
          : `test accuracy ${summary.testAccuracy ?? 'n/a'}`;
      print(`done: ${config.output.dir} — ${score}${speed}, ${summary.seconds.toFixed(1)} s`);
    }
    return 0;
  } finally {
    stop.dispose();
  }
}

if (isScript(import.meta.url)) await runScript(main);
