import { lstatSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { environmentError, errnoCode } from './fs-errors.ts';
import { LOCK_NAME } from './run-lock.ts';
import { processIsGone } from './stale-temp.ts';

/**
 * What a run directory holds, and so what `--force` may remove: the files named here and nothing
 * else. A directory is a run only if it holds the marker `run.json` (`{"tool": "shardprop",
 * "format": 1, …}`), written before anything else when a run claims the directory.
 */

export const MARKER_NAME = 'run.json';
export const RUN_FORMAT = 1;

/** Every file a run writes at the top of its directory. A feature that writes a new file adds it here. */
export const RUN_FILES: readonly string[] = [
  MARKER_NAME,
  'config.json',
  'metrics.jsonl',
  'model.safetensors',
  // train.earlyStopping: the best epoch's weights.
  'model.best.safetensors',
  'summary.json',
  'report.html',
  // What the model is (layers, shapes, weight layout, preprocessing, classes): loadModel needs no config.
  'model.json',
  // The final model's confusion matrix on the test split (written by training or `npm run eval --write`).
  'confusion.json',
  // `npm run export -- --format pytorch`: stale once the run is replaced.
  'model.pytorch.safetensors',
];

/** Subdirectories that hold only files the run wrote (regular files, no deeper directories). */
export const RUN_SUBDIRECTORIES: readonly string[] = ['checkpoints'];

/** `config.json.tmp-1234`: an atomic write of a run file by process 1234 (see atomic-write.ts). */
const TEMP_SUFFIX = /\.tmp-(\d+)$/;
/** `run.lock.stale-1234`: a lock process 1234 moved aside to take it over (see run-lock.ts). */
const ASIDE = new RegExp(`^${LOCK_NAME.replace('.', '\\.')}\\.stale-(\\d+)$`);

/** True if writing `name` (`model.safetensors`, `checkpoints/epoch-3.bin`) stays within what --force removes. */
export function isRunFile(name: string): boolean {
  const parts = name.split('/');
  if (parts.length === 1) return RUN_FILES.includes(name);
  return parts.length === 2 && RUN_SUBDIRECTORIES.includes(parts[0]) && parts[1] !== '' && !parts[1].startsWith('.');
}

export type Contents =
  /** Nothing, or only what a run left before it wrote any result: its marker, a lock, temporary files. */
  | { kind: 'empty' }
  /** A run's results (with or without files of the user's beside them, which are kept). */
  | { kind: 'run' }
  | { kind: 'foreign'; why: string };

/** Classifies the directory `dir` (which exists); reads only. */
export function inspectDirectory(dir: string, display: string): Contents {
  const names = list(dir, display).filter((name) => !isLeftover(name));
  if (names.length === 0) return { kind: 'empty' };
  if (!names.includes(MARKER_NAME)) return { kind: 'foreign', why: 'is not a shardprop run directory' };
  const problem = markerProblem(join(dir, MARKER_NAME));
  if (problem) return { kind: 'foreign', why: problem };
  // A marker with no results beside it (a run killed before its first write) leaves nothing to lose.
  const holdsResults = names.some((name) =>
    isRunSubdirectory(name)
      ? entryKind(join(dir, name)) !== 'directory' || list(join(dir, name), display).some((f) => !TEMP_SUFFIX.test(f))
      : name !== MARKER_NAME && RUN_FILES.includes(name),
  );
  return holdsResults ? { kind: 'run' } : { kind: 'empty' };
}

/**
 * Removes a run's files for `--force`, all but the marker (the new run's marker replaces it), so
 * that an interrupted removal still leaves a recognisable run. Everything is checked before anything
 * is removed: a run file that is not a regular file (a directory or a link in its place) stops it
 * with an error naming it.
 */
export function removeRunFiles(dir: string, display: string): void {
  const files: string[] = [];
  const subdirectories: string[] = [];
  for (const name of RUN_FILES) {
    const kind = entryKind(join(dir, name));
    if (kind === 'file') {
      if (name !== MARKER_NAME) files.push(name);
    } else if (kind !== 'absent') throw notOurs(display, name, kind);
  }
  for (const sub of RUN_SUBDIRECTORIES) {
    const kind = entryKind(join(dir, sub));
    if (kind === 'absent') continue;
    if (kind !== 'directory') throw notOurs(display, sub, kind);
    for (const name of list(join(dir, sub), display)) {
      const inner = entryKind(join(dir, sub, name));
      if (inner !== 'file') throw notOurs(display, `${sub}/${name}`, inner);
      files.push(`${sub}/${name}`);
    }
    subdirectories.push(sub);
  }
  try {
    for (const name of files) rmSync(join(dir, name));
    for (const sub of subdirectories) rmdirSync(join(dir, sub));
  } catch (error) {
    throw environmentError('remove the previous run in', display, error, '', 2);
  }
}

/**
 * Removes what interrupted runs left: temporary files of run files (any pid: the caller holds the
 * lock, so no other process writes here) and stale locks set aside by take-overs whose process is
 * gone (a live one may be about to put back the lock it moved, see run-lock.ts).
 */
export function removeLeftovers(dir: string): void {
  for (const name of list(dir, dir).filter(isLeftover)) {
    const aside = ASIDE.exec(name);
    if (name === LOCK_NAME || (aside && !processIsGone(Number(aside[1])))) continue;
    rmSync(join(dir, name), { force: true });
  }
  for (const sub of RUN_SUBDIRECTORIES) {
    if (entryKind(join(dir, sub)) !== 'directory') continue;
    for (const name of list(join(dir, sub), dir)) {
      if (TEMP_SUFFIX.test(name)) rmSync(join(dir, sub, name), { force: true });
    }
  }
}

function isLeftover(name: string): boolean {
  if (name === LOCK_NAME || ASIDE.test(name)) return true;
  return TEMP_SUFFIX.test(name) && RUN_FILES.includes(name.replace(TEMP_SUFFIX, ''));
}

function isRunSubdirectory(name: string): boolean {
  return RUN_SUBDIRECTORIES.includes(name);
}

/** Why `path` is not a marker this version can handle, or null if it is one. */
function markerProblem(path: string): string | null {
  let marker: { tool?: unknown; format?: unknown };
  try {
    marker = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return `is not a shardprop run directory (its ${MARKER_NAME} is not shardprop's)`;
  }
  if (marker?.tool !== 'shardprop' || !Number.isSafeInteger(marker.format) || (marker.format as number) < 1) {
    return `is not a shardprop run directory (its ${MARKER_NAME} is not shardprop's)`;
  }
  if ((marker.format as number) > RUN_FORMAT)
    return `holds a run of a newer shardprop (${MARKER_NAME} format ${marker.format})`;
  return null;
}

type EntryKind = 'absent' | 'file' | 'directory' | 'link' | 'other';

function entryKind(path: string): EntryKind {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (!stats) return 'absent';
  if (stats.isSymbolicLink()) return 'link';
  return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
}

function notOurs(display: string, name: string, kind: EntryKind): UserError {
  const what =
    { file: 'a file', directory: 'a directory', link: 'a symbolic link' }[kind as string] ?? 'a special file';
  return new UserError(
    `--force removes only the files a run writes, and ${join(display, name)} is ${what}: ` +
      'a run never writes that. Move it away or delete it yourself',
  );
}

function list(dir: string, display: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw environmentError('read output.dir', display, error, '', 2);
  }
}
