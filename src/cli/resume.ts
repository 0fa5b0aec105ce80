/**
 * `npm run resume -- <run dir> [--workers N] [--json]`: continues a stopped run from its last
 * checkpoint, with the run's own config (config.json in the directory). The final weights are
 * byte-identical to an uninterrupted run's, whatever the worker count.
 */
import { join } from 'node:path';
import { readConfigFile } from '../config/load.ts';
import { MAX_WORKERS } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { parseCommand } from './args.ts';
import { runTraining, workersFlag } from './batch.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { parseUserConfig } from './paths.ts';

export const command = {
  usage: 'npm run resume -- <run dir> [--workers N] [--json] [--quiet]',
  about: 'Continues a stopped run from its last checkpoint, with the config stored in the run directory.',
  flags: {
    workers: { type: 'string', value: 'N', description: `threads computing, 1 to ${MAX_WORKERS}, or auto` },
    json: { type: 'boolean', description: 'print nothing but JSON lines' },
    quiet: { type: 'boolean', description: 'print only the final line (with --json: the summary)' },
  },
  positionals: { min: 1, max: 1, name: 'run directory' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const workers = workersFlag(args.values.workers);
    const dir = userPath(io, args.positionals[0]);
    const raw = readConfigFile(join(dir, 'config.json'));
    if (typeof raw !== 'object' || raw === null) throw new UserError(`✖ ${dir}/config.json is not a run's config`);
    const input: Record<string, Record<string, unknown>> = { ...(raw as object), output: { dir } };
    if (workers !== undefined) input.parallel = { ...input.parallel, workers };
    const config = parseUserConfig(input, `config ${dir}/config.json`, io);
    return runTraining(
      config,
      { source: `config ${dir}/config.json`, resume: true },
      {
        io,
        json: args.values.json,
        quiet: args.values.quiet,
      },
    );
  });
}

if (isScript(import.meta.url)) await runScript(main);
