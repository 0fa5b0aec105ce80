/**
 * The last step every loader shares: fit the preprocessing on the training rows as read, apply it
 * to both splits, and collect the warnings (suspicious labels, input scales). The result carries
 * what was applied (`preprocessing`) so that a trained model can be given new rows the same way.
 */
import type { Classes } from './classes.ts';
import { featureRangeWarnings } from './feature-ranges.ts';
import { applyPreprocessing, fitPreprocessing, type Normalize } from './preprocess.ts';
import type { RawRows } from './split.ts';
import type { Dataset, Split } from './types.ts';

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
  normalize: Normalize;
  /** Names feature j (0-based) for warnings: "column 14 (proline)", "pixel 352". */
  featureName: (feature: number) => string;
}

export function assembleDataset(parts: DatasetParts): Dataset {
  const { features, classes } = parts;
  const preprocessing = fitPreprocessing(parts.normalize, parts.train.inputs, features);
  const split = (raw: RawRows): Split => ({
    inputs: applyPreprocessing(preprocessing, raw.inputs),
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
    preprocessing,
    warnings,
  };
}
