import { dirname, isAbsolute, join } from 'node:path';
import { UserError } from '../errors.ts';
import { formatIssues, readJsonFile } from '../io/json-file.ts';
import { isObject } from './paths.ts';
import { sweepSchema, type Sweep } from './schema.ts';
import { expandTrials, type BaseConfig, type Trial } from './trials.ts';

export interface LoadedSweep {
  sweep: Sweep;
  trials: Trial[];
  /** The sweep directory: trials/<id>/, results.jsonl, compare.html. */
  outDir: string;
}

/** The sweep directory of a sweep named `name` when no --out is given. */
export const defaultOutDir = (name: string) => join('runs', 'sweeps', name);

/**
 * Reads a sweep file, validates it and every trial it describes. A base config given as a path is
 * read relative to the sweep file (like an import); paths inside the config (data files) keep the
 * trainer's rule: relative to the directory the command runs in.
 */
export function loadSweep(file: string, outDir: (name: string) => string = defaultOutDir): LoadedSweep {
  return parseSweep(readJsonFile(file, 'sweep file'), file, outDir);
}

/** `file` names the sweep in messages and anchors a relative base path; `outDir` gives the sweep directory. */
export function parseSweep(
  input: unknown,
  file: string,
  outDir: (name: string) => string = defaultOutDir,
): LoadedSweep {
  const parsed = sweepSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`✖ invalid sweep file ${file}:\n${formatIssues(parsed.error.issues)}`);
  const sweep = parsed.data;
  const base = baseConfig(sweep.base, file);
  const dir = outDir(sweep.name);
  let trials: Trial[];
  try {
    trials = expandTrials(sweep, base, dir);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(`✖ invalid sweep ${file}:\n${error.message}`);
  }
  checkRankMetric(sweep, trials, file);
  return { sweep, trials, outDir: dir };
}

/** A validation metric needs a validation split in every trial: without one, each would rank n/a. */
function checkRankMetric(sweep: Sweep, trials: readonly Trial[], file: string): void {
  const metric = sweep.rank.metric;
  if (!metric.startsWith('validation') || trials.every((trial) => trial.config.data.validation !== undefined)) return;
  throw new UserError(
    `✖ invalid sweep ${file}: rank.metric ${metric} needs a validation split in every trial: set data.validation ` +
      `in the base config (a share such as 0.1, or a file)\n  → at rank.metric`,
  );
}

function baseConfig(base: Sweep['base'], sweepFile: string): BaseConfig {
  if (typeof base !== 'string') return { raw: base, describe: (path) => `base${path ? '.' + path : ''}` };
  const path = isAbsolute(base) ? base : join(dirname(sweepFile), base);
  const raw = readJsonFile(path, `base config (from ${sweepFile})`);
  if (!isObject(raw)) throw new UserError(`✖ the base config must hold a JSON object → at ${path}`);
  return { raw, describe: (configPath) => `${path}${configPath ? ': ' + configPath : ''}` };
}
