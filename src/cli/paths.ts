/**
 * Relative paths in a run config mean paths from the directory the user typed the command in (see
 * `workingDir`), like the config file's own path on the command line. `npm run` starts the command
 * in the package root, so they are rewritten before the config is validated (which checks that the
 * data files exist) and before the run directory is claimed.
 */
import { parseConfig } from '../config/load.ts';
import type { RunConfig } from '../config/schema.ts';
import { userPath, type Io } from './io.ts';

/** The keys of the `data` section that name files, for every data source. */
const DATA_PATH_KEYS = ['images', 'labels', 'testImages', 'testLabels', 'path', 'testPath'] as const;

/**
 * Validates a config read from a file (`source` names it in errors) after resolving its data paths,
 * then resolves its run directory (given, or the default `runs/<name>`) the same way.
 */
export function parseUserConfig(raw: Record<string, unknown>, source: string, io: Io): RunConfig {
  if (isObject(raw.data)) {
    const data = withUserPaths(raw.data, io);
    // data.validation as a file: { path } (csv) or { images, labels } (idx).
    if (isObject(data.validation)) data.validation = withUserPaths(data.validation, io);
    raw = { ...raw, data };
  }
  const config = parseConfig(raw, source);
  return { ...config, output: { ...config.output, dir: userPath(io, config.output.dir) } };
}

/** A copy of a data section (or of data.validation) with its file paths resolved. */
function withUserPaths(section: Record<string, unknown>, io: Io): Record<string, unknown> {
  const resolved: Record<string, unknown> = { ...section };
  for (const key of DATA_PATH_KEYS) {
    const value = resolved[key];
    if (typeof value === 'string' && value !== '') resolved[key] = userPath(io, value);
  }
  return resolved;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
