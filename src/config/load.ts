import { z } from 'zod';
import { UserError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';
import { runConfigSchema, type RunConfig } from './schema.ts';

/** Validates a config object; problems become one `✖ message → at path` line each (exit 2). */
export function parseConfig(input: unknown, source = 'config'): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (!result.success) throw new UserError(`invalid ${source}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads and validates a JSON config file, naming the file in every error. */
export function loadConfig(path: string): RunConfig {
  return parseConfig(readConfigFile(path), `config ${path}`);
}

/** Reads a JSON file without validating it (so command-line overrides can be merged first). */
export function readConfigFile(path: string): unknown {
  return readJsonFile(path, 'config file');
}
