/**
 * The `idx` source: image and label files in the IDX format of MNIST and Fashion-MNIST, raw or
 * gzipped (idx-file.ts). Label files are read whole (a byte per row); of the images only the
 * rows used are read, after checking from the headers that they fit in memory.
 *
 * Rows: with test files, the first `train` rows of `images` and the first `test` of `testImages`
 * (default all). Without, `test` rows (if any) are held out of `images` by the seeded split and
 * `train` (default: the rest) taken from the same permutation. A validation pair
 * (data.validation: { images, labels }) gives all its rows, in file order.
 */
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { assembleDataset, perFeature } from './assemble.ts';
import { checkDataFits, rowsThatFit } from './budget.ts';
import { resolveClasses, type LabelFile } from './classes.ts';
import {
  firstRecords,
  openIdx,
  readAllIdxRecords,
  readIdxRecords,
  rereadIdxRecords,
  type IdxFile,
} from './idx-file.ts';
import { rereadable } from './reread.ts';
import type { IdxConfig } from './schema.ts';
import { seededOrder, type RawRows } from './split.ts';
import type { Dataset } from './types.ts';
import { checkCounts, sampleIndex } from './validate.ts';

interface Pair {
  images: IdxFile;
  labels: Uint8Array;
  labelFile: LabelFile;
  /** The config key of the images file (`data.testImages`), for errors found while reading it. */
  imagesKey: string;
}

/** The config keys of a pair of files. */
type PairKeys = readonly [images: string, labels: string];

/** A file's own problem (truncated, not IDX, a bad gzip stream) names the config key that gave the file. */
async function atKey<T>(key: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof UserError) || error.message.includes('→ at ')) throw error;
    throw new UserError(`${error.message}\n  → at ${key}`, error.exitCode);
  }
}

async function openPair(imagesPath: string, labelsPath: string, [imagesKey, labelsKey]: PairKeys): Promise<Pair> {
  const images = await atKey(imagesKey, () => openIdx(imagesPath, 'images'));
  const labelsFile = await atKey(labelsKey, () => openIdx(labelsPath, 'labels'));
  // Either file may be the wrong one; the labels file is named as the one to fix.
  await atKey(labelsKey, () => checkCounts(imagesPath, images.count, labelsPath, labelsFile.count));
  const labels = await atKey(labelsKey, () => readAllIdxRecords(labelsFile));
  return { images, labels, labelFile: { file: labelsPath, labels, locate: sampleIndex }, imagesKey };
}

/** Rows `rows` of a pair: their pixels (read from the file) and their labels. */
async function readRows(pair: Pair, rows: Uint32Array): Promise<RawRows> {
  const inputs = await atKey(pair.imagesKey, () => readIdxRecords(pair.images, rows));
  const labels = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) labels[i] = pair.labels[rows[i]];
  return { inputs: rereadable(inputs, rereadRows(pair.images, rows)), labels, count: rows.length };
}

const rereadRows = (images: IdxFile, rows: Uint32Array) => (into: Uint8Array) => rereadIdxRecords(images, rows, into);

/** Rows [start, end) of raw rows read from `images` at `rows`, as views (that can be read again). */
function rowsOf(raw: RawRows, images: IdxFile, rows: Uint32Array, start: number, end: number): RawRows {
  const features = images.recordBytes;
  const view = raw.inputs.subarray(start * features, end * features) as Uint8Array;
  const inputs = rereadable(view, rereadRows(images, rows.subarray(start, end)));
  return { inputs, labels: raw.labels.subarray(start, end), count: end - start };
}

/** `key` is where to change it: data.train, or data.test when only the test file is too short. */
function tooMany(what: string, wanted: number, path: string, available: number, key = 'data.train'): UserError {
  return new UserError(`data.${what} is ${wanted} but ${path} holds only ${available} rows\n  → at ${key}`);
}

/** Images of another file (test, validation) must be the size of the training images. */
function checkSameSize(a: IdxFile, b: IdxFile, field: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new UserError(
      `${b.path} holds ${b.rows}×${b.cols} images (${b.recordBytes} pixels) but ${a.path} holds ` +
        `${a.rows}×${a.cols} (${a.recordBytes} pixels)\n  → at ${field}`,
    );
  }
}

type Fits = (trainRows: number, testRows: number) => void;
interface RawSplits {
  train: RawRows;
  test: RawRows | null;
}

/** The first `train` rows of `images` and the first `test` rows of `testImages`. */
async function fromTestFiles(config: IdxConfig, train: Pair, test: Pair, fits: Fits): Promise<RawSplits> {
  const [a, b] = [train.images, test.images];
  checkSameSize(a, b, 'data.testImages');
  const trainCount = config.train ?? a.count;
  const testCount = config.test ?? b.count;
  if (trainCount > a.count) throw tooMany('train', trainCount, a.path, a.count);
  if (testCount > b.count) throw tooMany('test', testCount, b.path, b.count, 'data.test');
  fits(trainCount, testCount);
  return {
    train: await readRows(train, firstRecords(trainCount)),
    test: testCount === 0 ? null : await readRows(test, firstRecords(testCount)),
  };
}

/** Without test rows the first `train` rows in file order; with, the seeded split of `images`. */
async function heldOut(config: IdxConfig, seed: number, pair: Pair, fits: Fits): Promise<RawSplits> {
  const count = pair.images.count;
  const testCount = config.test ?? 0;
  const trainCount = config.train ?? count - testCount;
  if (trainCount < 1 || trainCount + testCount > count) {
    throw tooMany('train + data.test', trainCount + testCount, config.images, count);
  }
  fits(trainCount, testCount);
  const order = testCount === 0 ? firstRecords(trainCount) : seededOrder(count, seed);
  // One read of the file for both splits (a gzip file is inflated once).
  const rows = order.subarray(0, trainCount + testCount);
  const both = await readRows(pair, rows);
  return {
    train: rowsOf(both, pair.images, rows, 0, trainCount),
    test: testCount === 0 ? null : rowsOf(both, pair.images, rows, trainCount, both.count),
  };
}

export async function loadIdx(config: IdxConfig, seed: number, maxBytes: number): Promise<Dataset> {
  const train = await openPair(config.images, config.labels, ['data.images', 'data.labels']);
  const test =
    config.testImages && config.testLabels
      ? await openPair(config.testImages, config.testLabels, ['data.testImages', 'data.testLabels'])
      : null;
  const validationFiles = typeof config.validation === 'object' ? config.validation : null;
  const validationKeys = ['data.validation.images', 'data.validation.labels'] as const;
  const validation =
    validationFiles && (await openPair(validationFiles.images, validationFiles.labels, validationKeys));
  if (validation) checkSameSize(train.images, validation.images, 'data.validation.images');
  const features = train.images.recordBytes;
  // true: the pixel bytes ÷ 255; false: as they are.
  const normalize = config.normalize === true ? 255 : config.normalize === false ? 'none' : config.normalize;
  // The pixels stay bytes in memory unless per-feature statistics make them floats (assemble.ts).
  const bytesPerInput = perFeature(normalize) ? 4 : 1;
  const fits: Fits = (trainRows, testRows) => {
    const most = rowsThatFit(features, maxBytes, bytesPerInput);
    const keys = `data.train${test || config.test ? ' + data.test' : ''}${validation ? ' + the validation file' : ''}`;
    // The validation file's rows take room in the arena like test rows.
    const size = { features, trainRows, testRows: testRows + (validation?.images.count ?? 0), bytesPerInput } as const;
    checkDataFits(size, maxBytes, `data ${config.images}`, `use at most ${most} rows in all (${keys})`, 'data.train');
  };
  const labelFiles = [train, test, validation].flatMap((pair) => (pair ? [pair.labelFile] : []));
  const classes = resolveClasses(labelFiles, config.classes);
  const raw = test ? await fromTestFiles(config, train, test, fits) : await heldOut(config, seed, train, fits);
  return assembleDataset({
    name: `idx:${basename(config.images)}`,
    features,
    shape: [1, train.images.rows, train.images.cols],
    classes,
    ...raw,
    validation: validation && (await readRows(validation, firstRecords(validation.images.count))),
    normalize,
    featureName: (j) => `pixel ${j}`,
  });
}
