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
  const data = raw.data;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const resolved: Record<string, unknown> = { ...data };
    for (const key of DATA_PATH_KEYS) {
      const value = resolved[key];
      if (typeof value === 'string' && value !== '') resolved[key] = userPath(io, value);
    }
    raw = { ...raw, data: resolved };
  }
  const config = parseConfig(raw, source);
  return { ...config, output: { ...config.output, dir: userPath(io, config.output.dir) } };
}
