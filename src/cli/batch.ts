/**
 * `npm run batch -- config.json`: trains the model a config describes and writes its run directory.
 * Bad input exits 2 with `✖ message → at path` lines before anything is written; a run that fails
 * (diverges, a step that keeps failing) exits 1.
 */
import { readConfigFile } from '../config/load.ts';
import { MAX_WORKERS } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { train } from '../train/train.ts';
import { integerFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { parseUserConfig } from './paths.ts';
import { ProgressBar, formatEpoch } from './progress.ts';

export const command = {
  usage: 'npm run batch -- <config.json> [--workers N] [--out DIR] [--force] [--json]',
  about:
    'Trains the model a config describes and writes its run directory: config.json, metrics.jsonl,\n' +
    'model.safetensors, summary.json. Relative paths, on the command line and in the config, are\n' +
    'resolved against the directory you run the command from.',
  flags: {
    workers: {
      type: 'string',
      value: 'N',
      description: `threads computing, 1 to ${MAX_WORKERS} (overrides parallel.workers; the weights do not change)`,
    },
    out: { type: 'string', value: 'DIR', description: 'the run directory (overrides output.dir)' },
    force: { type: 'boolean', description: 'replace a run already in the run directory' },
    json: { type: 'boolean', description: 'print nothing but JSON lines: the config, one per epoch, the summary' },
  },
  positionals: { min: 1, max: 1, name: 'config file' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
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

    const json = args.values.json;
    const print = (line: string) => io.stdout.write(line + '\n');
    const bar = !json && io.stdout.isTTY ? new ProgressBar(config.train.epochs, io.stdout) : null;
    const result = await train(config, {
      source: `config ${file}`,
      force: args.values.force,
      onStart(resolved) {
        if (json) print(JSON.stringify({ config: resolved }));
        else print(`shardprop: ${resolved.name}\n${JSON.stringify(resolved, null, 2)}`);
      },
      onStep: (p) => bar?.step(p),
      onEpoch(m) {
        if (json) print(JSON.stringify(m));
        else if (bar) bar.epoch(m);
        else print(formatEpoch(m, config.train.epochs));
      },
    });
    const { summary } = result;
    if (json) print(JSON.stringify({ summary }));
    else
      print(
        `done: ${result.config.output.dir} — test accuracy ${summary.testAccuracy ?? 'n/a'}, ` +
          `${Math.round(summary.samplesPerSec)} samples/s, ${summary.seconds.toFixed(1)} s`,
      );
  });
}

if (isScript(import.meta.url)) await runScript(main);
