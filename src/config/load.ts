import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.ts';
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `config file not found: ${path}` : `cannot read config file ${path}: ${code}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return json;
}
