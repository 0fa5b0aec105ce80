/**
 * The last step every loader shares: fit the preprocessing on the training rows as read, apply it
 * to every split (train, test, and the rows of a validation file), and collect the warnings
 * (suspicious labels, input scales). The result carries what was applied (`preprocessing`) so
 * that a trained model can be given new rows the same way.
 *
 * Rows read as bytes (image pixels) stay bytes when the preprocessing is the same for every
 * value ("none" or a divisor): it is applied once, to the 256 byte values, giving the table the
 * bytes are decoded through (types.ts ByteInputs) — the float32 values of the float path, bit for
 * bit, in a quarter of the memory. Per-feature preprocessing (minmax, standardize) makes floats.
 */
import type { Classes } from './classes.ts';
import { featureRangeWarnings } from './feature-ranges.ts';
import { applyPreprocessing, fitPreprocessing, type Normalize } from './preprocess.ts';
import type { RawRows } from './split.ts';
import type { Dataset, Inputs, Split } from './types.ts';

export interface DatasetParts {
  name: string;
  features: number;
  /** Per-sample shape when the source knows it (IDX images: [1, rows, cols]). */
  shape?: readonly number[];
  classes: Classes;
  /** Class names in class-index order (CSV string labels); default null. */
  classNames?: string[] | null;
  /** Regression: the target names (the rows' labels are count × targets values); default: a classifier. */
  targetNames?: string[] | null;
  train: RawRows;
  test: RawRows | null;
  /** The rows of a validation file (data.validation as a file), preprocessed like the test rows. */
  validation?: RawRows | null;
  normalize: Normalize;
  /**
   * For inputs read as bytes that stand for other numbers (the bundled MNIST's 256 pixel values):
   * the number each byte value stands for. Absent: a byte is its own value (IDX pixels 0–255).
   */
  palette?: Float32Array;
  /** Names feature j (0-based) for warnings: "column 14 (proline)", "pixel 352". */
  featureName: (feature: number) => string;
}

/** Byte values 0 to 255, each its own value. */
const BYTE_VALUES = Float32Array.from({ length: 256 }, (_, b) => b);

export function assembleDataset(parts: DatasetParts): Dataset {
  const { features, classes } = parts;
  const palette = parts.palette ?? BYTE_VALUES;
  const asRead = (raw: RawRows): RawRows['inputs'] =>
    raw.inputs instanceof Uint8Array && parts.palette ? decode(raw.inputs, palette) : raw.inputs;
  const keepBytes = parts.train.inputs instanceof Uint8Array && !perFeature(parts.normalize);
  const preprocessing = fitPreprocessing(parts.normalize, keepBytes ? [] : asRead(parts.train), features);
  const values = keepBytes ? applyPreprocessing(preprocessing, palette) : null;
  const inputsOf = (raw: RawRows): Inputs =>
    values && raw.inputs instanceof Uint8Array
      ? { bytes: raw.inputs, values }
      : applyPreprocessing(preprocessing, asRead(raw));
  const split = (raw: RawRows): Split => ({
    inputs: inputsOf(raw),
    targets: Float32Array.from(raw.labels),
    count: raw.count,
  });
  const train = split(parts.train);
  const warnings = [
    ...(classes.warning ? [classes.warning] : []),
    ...featureRangeWarnings(train.inputs, features, preprocessing, parts.featureName).map(
      (warning) => `${parts.name}: ${warning}`,
    ),
  ];
  const targetNames = parts.targetNames ?? null;
  return {
    name: parts.name,
    features,
    task: targetNames ? 'regression' : 'classification',
    targetWidth: targetNames ? targetNames.length : 1,
    ...(parts.shape && { shape: parts.shape }),
    classes: classes.classes,
    classNames: parts.classNames ?? null,
    targetNames,
    classesFrom: classes.from,
    train,
    test: parts.test && split(parts.test),
    ...(parts.validation && { validation: split(parts.validation) }),
    preprocessing,
    warnings,
  };
}

/** Whether a normalization has statistics per feature (then inputs are stored as float32). */
export const perFeature = (normalize: Normalize): boolean => normalize === 'minmax' || normalize === 'standardize';

function decode(bytes: Uint8Array, palette: Float32Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = palette[bytes[i]];
  return out;
}
