/**
 * Checks shared by every loader, so that bad data stops the run before training with a message
 * naming the file and the row: non-finite inputs, labels that are not class indices, row counts
 * that disagree, and empty files.
 */
import { UserError } from '../errors.ts';
import { isByteInputs } from './inputs.ts';
import type { ByteInputs, Dataset, Split } from './types.ts';

/** Names row `row` (0-based) of a file and, optionally, its feature `feature` (0-based). */
export type Locate = (row: number, feature?: number) => string;

/** IDX and generated data: "sample index 3" (0-based, as in the file's own order). */
export const sampleIndex: Locate = (row, feature) =>
  `sample index ${row}${feature === undefined ? '' : `, pixel ${feature}`}`;

/** Labels may name at most this many classes: a bigger label is surely a wrong column. */
export const MAX_CLASSES = 65_536;

export interface RowsToCheck {
  file: string;
  /** Null: inputs checked otherwise (bytes: checkByteInputs). */
  inputs: ArrayLike<number> | null;
  labels: ArrayLike<number>;
  count: number;
  features: number;
  locate: Locate;
  /** Labels are regression targets, `labelWidth` per row: finite numbers, not class indices. */
  regression?: boolean;
  labelWidth?: number;
}

/**
 * Throws unless every input is finite and every label an integer in [0, MAX_CLASSES) (a
 * regressor's targets: finite numbers).
 */
export function checkRows(rows: RowsToCheck): void {
  const { file, inputs, labels, count, features, locate } = rows;
  if (count === 0) throw new UserError(`${file}: no data rows`);
  if (inputs && inputs.length !== count * features) {
    throw new Error(`${file}: ${inputs.length} inputs for ${count}×${features}`);
  }
  const width = rows.labelWidth ?? 1;
  for (let i = 0; i < count; i++) {
    for (let j = 0; inputs && j < features; j++) {
      const value = inputs[i * features + j];
      if (!Number.isFinite(value)) throw new UserError(`${file} ${locate(i, j)}: input is ${value}`);
    }
    if (rows.regression) {
      for (let k = 0; k < width; k++) {
        const value = labels[i * width + k];
        if (!Number.isFinite(value)) throw new UserError(`${file} ${locate(i)}: target ${k} is ${value}`);
      }
      continue;
    }
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0) {
      throw new UserError(`${file} ${locate(i)}: label ${label} is not a class index (an integer ≥ 0)`);
    }
    if (label >= MAX_CLASSES) throw new UserError(`${file} ${locate(i)}: label ${label} is above ${MAX_CLASSES - 1}`);
  }
}

/** Throws unless a file of inputs and its file of labels hold the same number of rows. */
export function checkCounts(inputsFile: string, inputCount: number, labelsFile: string, labelCount: number): void {
  if (inputCount !== labelCount) {
    throw new UserError(`${inputsFile} holds ${inputCount} rows but ${labelsFile} holds ${labelCount} labels`);
  }
}

/** The last line of defence for every source: shapes agree, inputs finite, labels < classes. */
export function checkDataset(dataset: Dataset): void {
  const splits: [string, Split | null][] = [
    ['train', dataset.train],
    ['test', dataset.test],
    ['validation', dataset.validation ?? null],
  ];
  for (const [part, split] of splits) {
    if (!split) continue;
    const file = `${dataset.name} (${part} split)`;
    const width = dataset.targetWidth;
    if (split.targets.length !== split.count * width)
      throw new Error(`${file}: ${split.targets.length} targets for ${split.count}×${width}`);
    if (isByteInputs(split.inputs)) checkByteInputs(file, split.inputs, split.count * dataset.features);
    checkRows({
      file,
      inputs: isByteInputs(split.inputs) ? null : split.inputs,
      labels: split.targets,
      count: split.count,
      features: dataset.features,
      locate: sampleIndex,
      regression: dataset.task === 'regression',
      labelWidth: width,
    });
    if (dataset.task === 'regression') continue;
    for (let i = 0; i < split.count; i++) {
      if (split.targets[i] >= dataset.classes) {
        throw new UserError(
          `${file} ${sampleIndex(i)}: label ${split.targets[i]} is out of range [0, ${dataset.classes})`,
        );
      }
    }
  }
}

/** Bytes: as many as the rows need, and every value a byte can stand for finite. */
function checkByteInputs(file: string, inputs: ByteInputs, length: number): void {
  if (inputs.bytes.length !== length)
    throw new Error(`${file}: ${inputs.bytes.length} input bytes, expected ${length}`);
  if (inputs.values.length !== 256) throw new Error(`${file}: ${inputs.values.length} byte values, expected 256`);
  const bad = inputs.values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new UserError(`${file}: byte ${bad} stands for ${inputs.values[bad]}, not a finite input`);
}
