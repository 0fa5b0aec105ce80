/**
 * The one shape every data source is turned into. Inputs are row-major (count × features):
 * float32, or for image data (IDX, the bundled MNIST) one byte per value with the table of the
 * float32 value each byte stands for, a quarter of the memory (inputs.ts reads both kinds).
 * Targets hold each row's class index (as a float, the element type of the model's input).
 * Loaders build it; load.ts picks the loader.
 */
import type { Preprocessing } from './preprocess.ts';

/**
 * Inputs stored as bytes: value i is `values[bytes[i]]`, the float32 the float path would hold
 * (the preprocessing applied to what byte b was read as), so both kinds train bit-identically.
 */
export interface ByteInputs {
  readonly bytes: Uint8Array;
  /** 256 float32 values, one per byte value. */
  readonly values: Float32Array;
}

export type Inputs = Float32Array | ByteInputs;

export interface Split {
  /** count × features, row-major. */
  inputs: Inputs;
  /** The class index of each row, in [0, classes); a regressor's: count × targetWidth values, row-major. */
  targets: Float32Array;
  count: number;
}

export interface Dataset {
  name: string;
  features: number;
  /** `regression`: CSV targetColumns, trained with the mse loss; every other source is a classifier. */
  task: 'classification' | 'regression';
  /** Target values per row: 1 (the class index), or the number of regression targets. */
  targetWidth: number;
  /** The number of classes (0 for a regressor). */
  /** Per-sample shape, e.g. [1, 28, 28] for MNIST (see shape.ts); absent: [features]. */
  shape?: readonly number[];
  classes: number;
  /** Class names in class-index order (CSV string labels), or null when the classes are their indices. */
  classNames: string[] | null;
  /** A regressor's target column names, in output order; null for a classifier. */
  targetNames: string[] | null;
  /**
   * Where `classes` comes from, for messages: "data.classes", "labels 0 to 9", or the largest
   * label's file and row when some classes below it never occur (a corrupt label?).
   */
  classesFrom: string;
  train: Split;
  /** null when the config asks for no test rows. */
  test: Split | null;
  /**
   * The rows of a validation file (data.validation given as a file), preprocessed like both splits;
   * absent otherwise (a validation share is held out of `train` later: train/setup.ts).
   */
  validation?: Split;
  /**
   * What was done to the inputs of both splits (data.normalize), with the training split's
   * statistics: plain JSON, for the run directory; preprocess.ts applyPreprocessing(spec, rows)
   * gives new rows the same float32 inputs bit for bit.
   */
  preprocessing: Preprocessing;
  /** Things about the data worth a warning line (not an error); the CLI prints them. */
  warnings: string[];
}
