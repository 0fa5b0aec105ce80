/**
 * Loads the `csv` source: the training file, the test file or a seeded testFraction split, the
 * classes (class indices over both files, or the training file's class names: labels.ts) or the
 * regression targets, then the shared preprocessing (assemble.ts).
 */
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { assembleDataset } from './assemble.ts';
import { dataArenaBytes } from './budget.ts';
import { resolveClasses, type Classes } from './classes.ts';
import { readCsv, type CsvTable } from './csv.ts';
import type { CsvConfig } from './schema.ts';
import { seededSplit, testRowsFor, type RawRows } from './split.ts';
import type { Dataset } from './types.ts';

export async function loadCsv(config: CsvConfig, seed: number, maxBytes: number): Promise<Dataset> {
  const options = { labelColumn: config.labelColumn, targetColumns: config.targetColumns, header: config.header };
  const train = await readCsv(config.path, { ...options, maxBytes, field: 'data.path' });
  let splits: { train: RawRows; test: RawRows | null };
  let test: CsvTable | null = null;
  if (config.testPath !== undefined) {
    const size = { features: train.features, targets: train.labelWidth, trainRows: train.count, testRows: 0 };
    const left = maxBytes - dataArenaBytes(size);
    test = await readCsv(config.testPath, {
      ...options,
      classNames: train.classNames,
      trainFile: config.path,
      maxBytes: left,
      field: 'data.testPath',
      testRows: true,
    });
    if (test.features !== train.features) {
      const columns = (t: CsvTable) => t.features + (t.labelWidth ?? 1);
      throw new UserError(`${config.testPath} has ${columns(test)} columns but ${config.path} has ${columns(train)}`);
    }
    splits = { train, test };
  } else {
    const testCount = testRowsFor(config.testFraction ?? 0, train.count, config.path);
    splits =
      testCount === 0
        ? { train, test: null }
        : seededSplit(train, train.features, train.count - testCount, testCount, seed);
  }
  return assembleDataset({
    name: `csv:${basename(config.path)}`,
    features: train.features,
    classes: classesOf(config, train, test),
    classNames: train.classNames,
    targetNames: train.targetNames,
    ...splits,
    normalize: config.normalize,
    featureName: train.featureName,
  });
}

function classesOf(config: CsvConfig, train: CsvTable, test: CsvTable | null): Classes {
  if (train.targetNames) return { classes: 0, from: 'regression targets', warning: null };
  if (train.classNames) {
    const count = train.classNames.length;
    if (config.classes !== undefined && config.classes !== count) {
      throw new UserError(
        `data.classes is ${config.classes} but ${config.path} names ${count} classes ` +
          `(${train.classNames.join(', ')})\n  → at data.classes`,
      );
    }
    if (count < 2) {
      throw new UserError(
        `${config.path}: every label is "${train.classNames[0]}": a classifier needs 2 or more classes`,
      );
    }
    return { classes: count, from: `the ${count} class names of ${config.path}`, warning: train.labelWarning };
  }
  const files = [{ file: config.path, labels: train.labels, locate: train.locate }];
  if (test) files.push({ file: config.testPath!, labels: test.labels, locate: test.locate });
  return resolveClasses(files, config.classes);
}
