import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../config/schema.ts';
import { RunDirectory } from '../io/run-dir.ts';
import { isRunFile, MARKER_NAME } from '../io/run-files.ts';

/**
 * What travels through Redis. A job (its id is the trial id) carries the trial's resolved config;
 * its return value carries the run directory's files (config, metrics, summary, weights), base64,
 * unless the sweep directory is shared by the machines, in which case the worker writes the trial
 * there and returns only its name.
 */
export interface TrialJob {
  sweep: string;
  id: string;
  config: RunConfig;
  /** A worker fails a trial whose weights are larger (checked after the first epoch). */
  maxWeightBytes: number;
  /** The sweep directory, absolute, when every machine sees it at this path (`--shared`); else null. */
  sharedDir: string | null;
  /**
   * Set by the worker on a trial that failed with its own error (the trainer's ✖ error: it would fail
   * the same way again) just before failing the job; absent on a crash or a stall.
   */
  failure?: 'error';
}

export interface TrialJobResult {
  worker: string;
  /** File name → content, base64; absent when the worker wrote the trial into the shared directory. */
  files?: Record<string, string>;
}

/** The finished run directory's files, except the marker (the receiving side claims its own directory). */
export function packRunFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name === MARKER_NAME || !isRunFile(name) || !statSync(join(dir, name)).isFile()) continue;
    files[name] = readFileSync(join(dir, name)).toString('base64');
  }
  return files;
}

/**
 * Writes a trial received from a worker as a run directory of its own: claimed like any run (marker,
 * lock, --force over an unfinished attempt), summary.json last so that a half-written trial is never
 * taken for a complete one. config.json names this directory as its output.
 */
export function writeRunFiles(dir: string, files: Record<string, string>): void {
  const directory = RunDirectory.claim(dir, true);
  try {
    const names = Object.keys(files).filter((name) => name !== 'summary.json' && isRunFile(name));
    for (const name of names) directory.writeAtomic(name, contentOf(name, files[name], dir));
    if (files['summary.json'] !== undefined) directory.writeAtomic('summary.json', decode(files['summary.json']));
  } finally {
    directory.release();
  }
}

function contentOf(name: string, base64: string, dir: string): Uint8Array | string {
  if (name !== 'config.json') return decode(base64);
  const config = JSON.parse(decode(base64).toString('utf8')) as RunConfig;
  return JSON.stringify({ ...config, output: { ...config.output, dir } }, null, 2) + '\n';
}

function decode(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}
