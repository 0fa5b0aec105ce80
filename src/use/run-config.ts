/**
 * What eval and predict read from a run's config.json besides the model: the data the run trained
 * on (its test split), and for CSV data which column held the label.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import type { RunConfig } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';

export const CONFIG_FILE = 'config.json';

/** The run's resolved config (its data files must still be where they were). */
export function readRunConfig(runDir: string): RunConfig {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path))
    throw new UserError(`✖ no ${CONFIG_FILE} to re-create the run's data from: pass --data FILE → at ${runDir}`);
  const raw = readJsonFile(path, 'run config') as { data?: Record<string, unknown> } | null;
  const data = raw?.data;
  // The synthetic schema writes `classes: 2` for xor and moons into the resolved config but refuses
  // `classes` for any kind but spiral when it reads one back (src/data/schema.ts): leave it out.
  if (data?.source === 'synthetic' && data.kind !== 'spiral') delete data.classes;
  return parseConfig(raw, `run config ${path}`);
}

/** The run's CSV label column (index or name), if the run trained on CSV and its config.json says so. */
export function csvLabelColumn(runDir: string): number | string | undefined {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  const data = (readJsonFile(path, 'run config') as { data?: { source?: unknown; labelColumn?: unknown } } | null)
    ?.data;
  const column = data?.source === 'csv' ? data.labelColumn : undefined;
  return typeof column === 'number' || typeof column === 'string' ? column : undefined;
}

/** The run's CSV target columns (a regressor's), if its config.json says so. */
export function csvTargetColumns(runDir: string): (number | string)[] | undefined {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  const data = (readJsonFile(path, 'run config') as { data?: { source?: unknown; targetColumns?: unknown } } | null)
    ?.data;
  const columns = data?.source === 'csv' ? data.targetColumns : undefined;
  const valid = Array.isArray(columns) && columns.every((c) => typeof c === 'number' || typeof c === 'string');
  return valid ? (columns as (number | string)[]) : undefined;
}
