/**
 * Loads the `csv` source: the training file, the test file or a seeded testFraction split, a
 * validation file (data.validation: { path }), the classes (class indices over every file, or
 * the training file's class names: labels.ts) or the regression targets, then the shared
 * preprocessing (assemble.ts).
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
  const train = await readCsv(config.path, { ...columnOptions(config), maxBytes, field: 'data.path' });
  const read = secondFileReader(config, train, maxBytes);
  let splits: { train: RawRows; test: RawRows | null };
  let test: CsvTable | null = null;
  if (config.testPath !== undefined) {
    test = await read(config.testPath, 'data.testPath', null);
    splits = { train, test };
  } else {
    const testCount = testRowsFor(config.testFraction ?? 0, train.count, config.path);
    splits =
      testCount === 0
        ? { train, test: null }
        : seededSplit(train, train.features, train.count - testCount, testCount, seed);
  }
  const file = typeof config.validation === 'object' ? config.validation.path : null;
  const validation = file === null ? null : await read(file, 'data.validation.path', test);
  return assembleDataset({
    name: `csv:${basename(config.path)}`,
    features: train.features,
    classes: classesOf(config, train, [
      [config.testPath, test],
      [file, validation],
    ]),
    classNames: train.classNames,
    targetNames: train.targetNames,
    ...splits,
    validation,
    normalize: config.normalize,
    featureName: train.featureName,
  });
}

/** How every file of the source is read: its label or target columns, and whether it has a header. */
const columnOptions = ({ labelColumn, targetColumns, header }: CsvConfig) => ({ labelColumn, targetColumns, header });

type SecondFileReader = (path: string, field: string, before: CsvTable | null) => Promise<CsvTable>;

/**
 * Reads a test or validation file like the training file: the same columns, labels resolved
 * against the training file's classes (an unseen class name is an error naming the file and line),
 * in the memory the rows read before it (`before`: the test file's) leave.
 */
function secondFileReader(config: CsvConfig, train: CsvTable, maxBytes: number): SecondFileReader {
  const columns = (t: CsvTable) => t.features + (t.labelWidth ?? 1);
  return async (path, field, before) => {
    const size = (t: CsvTable | null, trainRows: number, testRows: number) =>
      t ? dataArenaBytes({ features: t.features, targets: t.labelWidth, trainRows, testRows }) : 0;
    const left = maxBytes - size(train, train.count, 0) - size(before, 0, before?.count ?? 0);
    const table = await readCsv(path, {
      ...columnOptions(config),
      classNames: train.classNames,
      trainFile: config.path,
      maxBytes: left,
      field,
      testRows: true,
    });
    if (table.features !== train.features) {
      throw new UserError(
        `${path} has ${columns(table)} columns but ${config.path} has ${columns(train)}\n  → at ${field}`,
      );
    }
    return table;
  };
}

/** Classes of the training file's labels; class indices also of the other files' (test, validation). */
function classesOf(
  config: CsvConfig,
  train: CsvTable,
  others: [string | null | undefined, CsvTable | null][],
): Classes {
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
  const files = [[config.path, train] as const, ...others].flatMap(([file, table]) =>
    file && table ? [{ file, labels: table.labels, locate: table.locate }] : [],
  );
  return resolveClasses(files, config.classes);
}
