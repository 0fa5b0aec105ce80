import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { errors, UserError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';
import { readConfusion, type Confusion } from './confusion.ts';
import { readTensorHeader, type TensorHeader } from './tensor-header.ts';

/**
 * What a report reads from a run directory. Only config.json is required (it marks a shardprop
 * run); the other files are written as the run goes and may be missing, e.g. after a run that
 * stopped before its first epoch. Every problem is a UserError naming the file (and line).
 */
export interface RunFiles {
  /** The directory as given, for messages and links. */
  readonly dir: string;
  /** The label of this run in legends and tables (the directory's name unless told otherwise). */
  readonly label: string;
  readonly config: Record<string, unknown>;
  /** One row per finished epoch: the numeric fields of each metrics.jsonl line (null kept as null). */
  readonly metrics: MetricRow[];
  readonly summary: Record<string, unknown> | null;
  readonly confusion: Confusion | null;
  readonly tensors: TensorHeader | null;
  /** model.json: each layer's input and output shape, and which tensors are learned parameters. */
  readonly model: Record<string, unknown> | null;
}

export type MetricRow = Record<string, number | null>;

export function readRunFiles(dir: string, label = basename(dir.replace(/[\\/]+$/, '')) || dir): RunFiles {
  const stats = statOrNull(dir);
  if (!stats) throw errors.runDirectoryNotFound(dir);
  if (!stats.isDirectory()) throw errors.notARunDirectory(dir);
  const configPath = join(dir, 'config.json');
  if (!statOrNull(configPath)?.isFile())
    throw new UserError(`✖ not a shardprop run directory (no config.json) → at ${dir}`);
  return {
    dir,
    label,
    config: readObject(configPath, 'run config'),
    metrics: readMetrics(join(dir, 'metrics.jsonl')),
    summary: readOptional(join(dir, 'summary.json'), (path) => readObject(path, 'run summary')),
    confusion: readOptional(join(dir, 'confusion.json'), readConfusion),
    tensors: readOptional(join(dir, 'model.safetensors'), readTensorHeader),
    model: readOptional(join(dir, 'model.json'), (path) => readObject(path, 'model description')),
  };
}

function readOptional<T>(path: string, read: (path: string) => T): T | null {
  return statOrNull(path) ? read(path) : null;
}

/** null when nothing is there (also below a regular file); other failures (EACCES…) are the user's to fix. */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UserError(`✖ cannot read (${code}) → at ${path}`);
  }
}

function readObject(path: string, what: string): Record<string, unknown> {
  const value = readJsonFile(path, what);
  if (!isObject(value)) throw new UserError(`✖ ${what} is not a JSON object → at ${path}`);
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * metrics.jsonl: one JSON object per epoch with a positive integer `epoch`. Numeric fields (and
 * nulls, e.g. testAccuracy without a test split) are kept whatever their name, so fields added
 * later are plotted without a change here; fields of other types are skipped.
 */
export function readMetrics(path: string): MetricRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new UserError(`✖ cannot read the metrics (${code}) → at ${path}`);
  }
  // Keyed by epoch: if an epoch was written twice (a run resumed from an earlier checkpoint), the later line wins.
  const rows = new Map<number, MetricRow>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const at = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UserError(`✖ metrics line is not valid JSON (${(error as Error).message}) → at ${at}`);
    }
    if (!isObject(value)) throw new UserError(`✖ metrics line is not a JSON object → at ${at}`);
    if (!Number.isInteger(value.epoch) || (value.epoch as number) < 1)
      throw new UserError(`✖ metrics line has no positive integer "epoch" → at ${at}`);
    const row: MetricRow = {};
    for (const [key, field] of Object.entries(value)) {
      if (field === null || (typeof field === 'number' && Number.isFinite(field))) row[key] = field;
    }
    rows.set(value.epoch as number, row);
  });
  return [...rows.values()].sort((a, b) => (a.epoch as number) - (b.epoch as number));
}
