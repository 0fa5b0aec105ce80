/**
 * What the data will cost in a run's shared arena, known before a row is read: loaders check it
 * against a limit as soon as they know the row count (from an IDX header, or while a CSV streams
 * in), so data too big to train on fails in a moment with an error naming the data, instead of
 * after minutes of loading, or with the blame put on the model.
 */
import { UserError } from '../errors.ts';

/** The whole shared arena holds at most 4 GiB (train/arena.ts MAX_ARENA_BYTES); the data less. */
export const DEFAULT_MAX_DATA_BYTES = 2 ** 32;

export interface DataSize {
  features: number;
  /** Target values per row: 1 (a class index), or a regressor's targets. */
  targets?: number;
  trainRows: number;
  testRows: number;
  /** 1 for inputs stored as bytes (image pixels, types.ts ByteInputs); 4 (float32) by default. */
  bytesPerInput?: 1 | 4;
}

/**
 * Bytes the data takes in the shared arena, as train/layout.ts lays it out: the inputs (float32 or
 * bytes) and float32 targets of both splits, and the uint32 order of the training rows (64-byte
 * padding and the 1 KiB table of byte values aside).
 */
export function dataArenaBytes({ features, targets = 1, trainRows, testRows, bytesPerInput = 4 }: DataSize): number {
  // Inputs, then float32 targets (and the train split's order entry per row).
  return (trainRows + testRows) * features * bytesPerInput + 4 * (trainRows * (targets + 1) + testRows * targets);
}

/** The most rows of `features` features that fit in `maxBytes` (counted as training rows). */
export function rowsThatFit(features: number, maxBytes: number, bytesPerInput: 1 | 4 = 4): number {
  return Math.floor(maxBytes / (features * bytesPerInput + 8));
}

/** 4.1 GiB, 12.0 MiB, 3.5 KiB or 100 bytes. */
export function formatBytes(bytes: number): string {
  const units = ['GiB', 'MiB', 'KiB'];
  for (let i = 0; i < units.length; i++) {
    const size = 2 ** (10 * (3 - i));
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${units[i]}`;
  }
  return `${bytes} bytes`;
}

/**
 * Throws unless the data fits in `maxBytes`. `what` names the data, `advice` says what to change
 * (e.g. "use at most 1000000 rows in all") and `field` is the config key to change.
 */
export function checkDataFits(size: DataSize, maxBytes: number, what: string, advice: string, field: string): void {
  if (dataArenaBytes(size) > maxBytes) throw dataTooBig(size, maxBytes, what, advice, field);
}

export function dataTooBig(size: DataSize, maxBytes: number, what: string, advice: string, field: string): UserError {
  const { trainRows, testRows } = size;
  const rows =
    testRows === 0 ? `${trainRows} rows` : `${trainRows > 0 ? `${trainRows} training + ` : ''}${testRows} test rows`;
  const stored = size.bytesPerInput === 1 ? 'bytes' : 'float32';
  return new UserError(
    `${what}: ${rows} of ${size.features} features need ${formatBytes(dataArenaBytes(size))} of shared memory ` +
      `as ${stored}, more than the ${formatBytes(maxBytes)} a run can hold: ${advice}\n  → at ${field}`,
  );
}
