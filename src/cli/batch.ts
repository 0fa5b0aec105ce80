import { parseArgs } from 'node:util';
import { readConfigFile } from '../config/load.ts';
import { UserError, runCli } from '../errors.ts';
import type { RunConfigInput } from '../config/schema.ts';
import { train } from '../train/train.ts';
import { ProgressBar, formatEpoch } from './progress.ts';

const usage = 'usage: npm run batch -- config.json [--workers N] [--out DIR] [--force] [--json]';

/** `npm run batch`: trains the model a config describes and writes its run directory. */
async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        workers: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void console.log(usage);
  if (positionals.length !== 1) throw new UserError(`expected one config file, got ${positionals.length}\n${usage}`);
  const file = positionals[0];
  const raw = readConfigFile(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UserError(`config file ${file} must hold a JSON object`);
  // Command-line overrides go through the same schema as the file, so errors name the field.
  const config = raw as Record<string, Record<string, unknown>>;
  if (values.workers !== undefined) config.parallel = { ...config.parallel, workers: numberOrText(values.workers) };
  if (values.out !== undefined) config.output = { ...config.output, dir: values.out };
  const json = values.json ?? false;
  let bar: ProgressBar | null = null;
  let epochs = 0;
  const result = await train(config as unknown as RunConfigInput, {
    source: `config ${file}`,
    force: values.force ?? false,
    onStart(resolved) {
      epochs = resolved.train.epochs;
      if (json) console.log(JSON.stringify({ config: resolved }));
      else console.log(`shardprop: ${resolved.name}\n${JSON.stringify(resolved, null, 2)}`);
      if (!json && process.stdout.isTTY) bar = new ProgressBar(epochs);
    },
    onStep: (p) => bar?.step(p),
    onEpoch(m) {
      if (json) console.log(JSON.stringify(m));
      else if (bar) (bar as ProgressBar).epoch(m);
      else console.log(formatEpoch(m, epochs));
    },
  });
  if (json) console.log(JSON.stringify({ summary: result.summary }));
  else
    console.log(
      `done: ${result.config.output.dir} — test accuracy ${result.summary.testAccuracy ?? 'n/a'}, ` +
        `${Math.round(result.summary.samplesPerSec ?? 0)} samples/s, ${result.summary.seconds.toFixed(1)} s`,
    );
}

function numberOrText(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

await runCli(main);
