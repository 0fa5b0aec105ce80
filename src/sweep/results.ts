import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { readMetrics, type MetricRow } from '../report/run-files.ts';
import { isObject } from './paths.ts';
import type { RankMetric } from './schema.ts';
import { trialId } from './trial-id.ts';
import type { Trial } from './trials.ts';

/** One line of results.jsonl: what a trial gave, or why it gave nothing. */
export interface TrialResult {
  id: string;
  index: number;
  point: Record<string, unknown>;
  repeat: number;
  seed: number;
  status: 'done' | 'failed';
  /**
   * The rank metric after the last epoch (a test score of a run with a validation split: summary.json's);
   * null for a failed trial, or a metric the run does not have.
   */
  value: number | null;
  /** The last line of metrics.jsonl. */
  final: MetricRow | null;
  summary: Record<string, unknown> | null;
  /** SHA-256 of model.safetensors: equal weights, equal hash. */
  weightsSha256: string | null;
  error: string | null;
  /**
   * Why a failed trial failed: `error`, the trainer's own ✖ error (a bad value, divergence, a missing
   * data file), which would happen again, so a re-run of the sweep keeps it unless --retry-failed;
   * `crash`, anything else (a killed or crashed process, an incomplete result), tried again. Null when done.
   */
  failure: 'error' | 'crash' | null;
  /** Who trained it: `local`, or the worker's name. */
  worker: string | null;
  /** The run directory, relative to the sweep's directory. */
  dir: string;
}

export function trialDir(outDir: string, id: string): string {
  return join(outDir, 'trials', id);
}

/**
 * The result of a trial whose run directory is complete: summary.json is a JSON object (it is written
 * last), and config.json is this trial's (same id). Null if anything is missing or does not match, in
 * which case the trial runs again (and --force-replaces the leftovers).
 */
export function readCompletedTrial(trial: Trial, outDir: string, metric: RankMetric): TrialResult | null {
  const dir = trialDir(outDir, trial.id);
  const summary = readJsonObject(join(dir, 'summary.json'));
  const config = readJsonObject(join(dir, 'config.json'));
  if (!summary || !config || !sameTrial(config, trial.id)) return null;
  let metrics: MetricRow[];
  try {
    metrics = readMetrics(join(dir, 'metrics.jsonl'));
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
  const final = metrics.at(-1) ?? null;
  if (!final) return null;
  return {
    ...identity(trial, outDir),
    status: 'done',
    value: rankValue(final, summary, metric),
    final,
    summary,
    weightsSha256: fileSha256(join(dir, 'model.safetensors')),
    error: null,
    failure: null,
    worker: null,
  };
}

/**
 * The rank metric after the last epoch. With a validation split the epoch lines hold no test scores
 * (null): the test split is scored once, at the end, into summary.json, and that is its value.
 */
function rankValue(final: MetricRow, summary: Record<string, unknown>, metric: RankMetric): number | null {
  const value = final[metric] ?? summary[metric];
  return typeof value === 'number' ? value : null;
}

/** The lines of an earlier results.jsonl by trial id (a resumed sweep keeps their record). */
export function previousResults(outDir: string): Map<string, Partial<TrialResult>> {
  const results = new Map<string, Partial<TrialResult>>();
  let text = '';
  try {
    text = readFileSync(join(outDir, 'results.jsonl'), 'utf8');
  } catch {
    return results;
  }
  for (const line of text.split('\n')) {
    try {
      const result = JSON.parse(line) as Partial<TrialResult>;
      if (isObject(result) && typeof result.id === 'string') results.set(result.id, result);
    } catch {
      // a line that is not JSON (edited by hand) is as if the trial had no record
    }
  }
  return results;
}

/** An earlier result saying the trial failed with its own error (not a crash): that failure, kept. */
export function earlierError(trial: Trial, outDir: string, earlier: Partial<TrialResult> | undefined) {
  if (earlier?.status !== 'failed' || earlier.failure !== 'error' || typeof earlier.error !== 'string') return null;
  const worker = typeof earlier.worker === 'string' ? earlier.worker : null;
  return failedResult(trial, outDir, earlier.error, worker, 'error');
}

/** How many of the skipped trials are kept failures, for the line that says what runs. */
export function skippedText(done: Map<string, TrialResult>): string {
  const failed = [...done.values()].filter((r) => r.status === 'failed').length;
  const complete = `${done.size - failed} already done`;
  return failed === 0
    ? complete
    : `${complete}, ${failed} failed before with their own error and not retried: --retry-failed runs them`;
}

export function failedResult(
  trial: Trial,
  outDir: string,
  error: string,
  worker: string | null,
  failure: 'error' | 'crash',
): TrialResult {
  return {
    ...identity(trial, outDir),
    status: 'failed',
    value: null,
    final: null,
    summary: null,
    weightsSha256: null,
    error,
    failure,
    worker,
  };
}

function identity(trial: Trial, outDir: string) {
  const { id, index, point, repeat } = trial;
  return { id, index, point, repeat, seed: trial.config.seed, dir: relative(outDir, trialDir(outDir, id)) };
}

/** Rewrites results.jsonl (atomically: a reader never sees half a file), one line per trial in sweep order. */
export function writeResults(outDir: string, results: Iterable<TrialResult>): string {
  const path = join(outDir, 'results.jsonl');
  const lines = [...results].sort((a, b) => a.index - b.index).map((r) => JSON.stringify(r) + '\n');
  writeFileAtomic(path, lines.join(''));
  return path;
}

function sameTrial(config: Record<string, unknown>, id: string): boolean {
  try {
    return trialId(parseConfig(config)) === id;
  } catch (error) {
    if (error instanceof UserError) return false;
    throw error;
  }
}

function readJsonObject(path: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // missing, unreadable or half-written: not complete
  }
  return isObject(value) ? value : null;
}

function fileSha256(path: string): string | null {
  if (!existsSync(path)) return null;
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
