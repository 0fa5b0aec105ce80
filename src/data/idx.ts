/**
 * The `idx` source: image and label files in the IDX format of MNIST and Fashion-MNIST, raw or
 * gzipped. An images file is the big-endian header 0x00000803, count, rows, cols, then count ×
 * rows × cols bytes; a labels file is 0x00000801, count, then count bytes. Sizes must match the
 * header exactly.
 *
 * Rows: with test files, the first `train` rows of `images` and the first `test` of `testImages`
 * (default all). Without, `test` rows (if any) are held out of `images` by the seeded split and
 * `train` (default: the rest) taken from the same permutation.
 */
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import type { Dataset, Split } from './types.ts';
import { readMaybeGzip } from './read.ts';
import type { IdxConfig } from './schema.ts';
import { allRows, seededSplit, type Table } from './split.ts';
import { checkCounts, checkRows, classCount, sampleIndex } from './validate.ts';

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** Parses an IDX images file (u8, 3 dimensions). */
export function readIdxImages(path: string): IdxImages {
  const bytes = readMaybeGzip(path);
  const header = readHeader(path, bytes, IMAGES_MAGIC, 'images (u8, 3 dimensions)', 16);
  const [count, rows, cols] = [header.getUint32(4), header.getUint32(8), header.getUint32(12)];
  expectLength(path, bytes, 16 + count * rows * cols, `${count} images of ${rows}×${cols}`);
  if (rows * cols === 0) throw new UserError(`${path}: images of ${rows}×${cols} pixels have no pixels`);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** Parses an IDX labels file (u8, 1 dimension). */
export function readIdxLabels(path: string): Uint8Array {
  const bytes = readMaybeGzip(path);
  const count = readHeader(path, bytes, LABELS_MAGIC, 'labels (u8, 1 dimension)', 8).getUint32(4);
  expectLength(path, bytes, 8 + count, `${count} labels`);
  return bytes.subarray(8);
}

function readHeader(path: string, bytes: Uint8Array, magic: number, what: string, size: number): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (bytes.length >= 4 && view.getUint32(0) !== magic) {
    throw new UserError(
      `${path}: not an IDX ${what} file: magic number 0x${hex(view.getUint32(0))}, expected 0x${hex(magic)}`,
    );
  }
  if (bytes.length < size) {
    throw new UserError(`${path}: ${bytes.length} bytes is too short for an IDX ${what} header (${size} bytes)`);
  }
  return view;
}

function expectLength(path: string, bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? 'truncated' : 'has extra bytes';
    throw new UserError(
      `${path}: ${problem}: the header promises ${what} (${expected} bytes) but the data is ${bytes.length} bytes`,
    );
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** One images file with its labels file, checked, as a Table (pixels divided by `divisor`). */
function readPair(imagesPath: string, labelsPath: string, divisor: number): Table & { rows: number; cols: number } {
  const images = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath);
  checkCounts(imagesPath, images.count, labelsPath, labels.length);
  const features = images.rows * images.cols;
  checkRows({ file: imagesPath, inputs: images.pixels, labels, count: images.count, features, locate: sampleIndex });
  return {
    inputs: images.pixels,
    labels,
    count: images.count,
    features,
    divisor,
    rows: images.rows,
    cols: images.cols,
  };
}

function tooMany(what: string, wanted: number, path: string, available: number): UserError {
  return new UserError(`data.${what} is ${wanted} but ${path} holds only ${available} rows`);
}

export function loadIdx(config: IdxConfig, seed: number): Dataset {
  const divisor = config.normalize ? 255 : 1;
  const train = readPair(config.images, config.labels, divisor);
  let splits: { train: Split; test: Split | null };
  let classes: number;
  if (config.testImages !== undefined && config.testLabels !== undefined) {
    const test = readPair(config.testImages, config.testLabels, divisor);
    if (test.rows !== train.rows || test.cols !== train.cols) {
      throw new UserError(
        `${config.testImages} holds ${test.rows}×${test.cols} images ` +
          `but ${config.images} holds ${train.rows}×${train.cols}`,
      );
    }
    const trainCount = config.train ?? train.count;
    const testCount = config.test ?? test.count;
    if (trainCount > train.count) throw tooMany('train', trainCount, config.images, train.count);
    if (testCount > test.count) throw tooMany('test', testCount, config.testImages, test.count);
    splits = { train: allRows(train, trainCount), test: testCount === 0 ? null : allRows(test, testCount) };
    classes = classCount(train.labels, test.labels);
  } else {
    const testCount = config.test ?? 0;
    const trainCount = config.train ?? train.count - testCount;
    if (trainCount < 1 || trainCount + testCount > train.count) {
      throw tooMany('train + data.test', trainCount + testCount, config.images, train.count);
    }
    splits =
      testCount === 0
        ? { train: allRows(train, trainCount), test: null }
        : seededSplit(train, trainCount, testCount, seed);
    classes = classCount(train.labels);
  }
  return { name: `idx:${basename(config.images)}`, features: train.features, classes, ...splits };
}
