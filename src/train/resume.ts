import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEED_ONLY_PARALLEL_KEYS, type RunConfig } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { latestCheckpoint, type Checkpoint } from './checkpoint.ts';

/** Settings that change only the speed or the bookkeeping of a run, never its weights. */
const SPEED_SETTINGS = [...SPEED_ONLY_PARALLEL_KEYS.map((key) => `parallel.${key}`), 'checkpoint', 'output.dir'];

/**
 * Where a run in `dir` continues from: its newest checkpoint, after checking that `config` is the
 * run's own (apart from speed settings). Null when no checkpoint was written yet (start again).
 */
export function resumePoint(
  dir: string,
  config: RunConfig,
  paramCount: number,
  stateCount: number,
  warn: (message: string) => void,
  bufferCount = 0,
): Checkpoint | null {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch (error) {
    throw new UserError(`cannot resume ${dir}: its config.json cannot be read (${(error as Error).message})`);
  }
  const difference = firstDifference(stored, config, '');
  if (difference) {
    throw new UserError(
      `cannot resume ${dir}: ${difference.path} is ${show(difference.run)} in the run but ${show(difference.now)} ` +
        `in this config; only ${SPEED_SETTINGS.join(', ')} may change`,
    );
  }
  return latestCheckpoint(dir, paramCount, stateCount, warn, bufferCount);
}

interface Difference {
  path: string;
  run: unknown;
  now: unknown;
}

/** The first dotted path at which two JSON values differ, skipping speed settings. */
export function firstDifference(run: unknown, now: unknown, path: string): Difference | null {
  if (SPEED_SETTINGS.includes(path)) return null;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObject(run) && isObject(now) && Array.isArray(run) === Array.isArray(now)) {
    const a = run as Record<string, unknown>;
    const b = now as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return null;
  }
  return Object.is(run, now) ? null : { path: path || '(the whole config)', run, now };
}

function show(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}
