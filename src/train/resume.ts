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
  /** The per-sample shape of the data now; refused when the run trained on another. */
  inputShape?: readonly number[],
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
  if (inputShape) checkSameInput(dir, inputShape);
  return latestCheckpoint(dir, paramCount, stateCount, warn, bufferCount);
}

/**
 * The same config can read other data (a data file replaced): rows of another shape would make
 * every checkpoint look torn (another parameter count: the run started again from scratch), or,
 * for images of another height and width but as many pixels, resume on pixels laid out anew.
 * model.json, written when the run started, holds the shape it trained on.
 */
function checkSameInput(dir: string, inputShape: readonly number[]): void {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch {
    return; // a run from before model.json, or one whose model.json is gone: nothing to compare
  }
  const input = typeof stored === 'object' && stored !== null && 'input' in stored ? stored.input : null;
  const shape = typeof input === 'object' && input !== null && 'shape' in input ? input.shape : null;
  if (!Array.isArray(shape) || !shape.every((n) => typeof n === 'number')) return;
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  // A flat shape of as many values is the same data: runs written before image shapes recorded
  // the bundled digits and IDX files as [784].
  const images = shape.length === 3 && inputShape.length === 3;
  if (size(shape) === size(inputShape) && (!images || shape.join() === inputShape.join())) return;
  throw new UserError(
    `cannot resume ${dir}: its data gives rows of [${inputShape.join(', ')}] now, but the run trained on ` +
      `[${shape.join(', ')}] (its model.json): were the data files replaced?\n  → at data`,
  );
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
