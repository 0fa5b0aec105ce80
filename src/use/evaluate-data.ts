/**
 * The data `npm run eval` evaluates a model on: the run's own split re-created from its
 * config.json, the split of another config, or a file of labelled rows (CSV, IDX images with an
 * IDX labels file, JSON), streamed in blocks.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseConfig } from '../config/load.ts';
import type { RunConfig } from '../config/schema.ts';
import { loadDataset } from '../data/load.ts';
import { dataConfigSchema, type DataConfig } from '../data/schema.ts';
import { UserError } from '../errors.ts';
import { formatIssues } from '../io/json-file.ts';
import type { Evaluation } from './evaluation.ts';
import type { LoadedModel } from './loaded-model.ts';
import type { StoredPreprocessing } from './model-json.ts';
import { describePreprocessing } from './preprocess.ts';
import type { RegressionEvaluation } from './regression-evaluation.ts';

export type SplitName = 'test' | 'train';

export interface EvaluatedData {
  readonly evaluation: Evaluation | RegressionEvaluation;
  /** What was evaluated, for the report: `the test split of mnist`, `data/iris-test.csv`. */
  readonly what: string;
}

/** Where a split comes from: a data section, the seed of its splits, and for the run's own config its chunking. */
export interface DataSource {
  readonly data: DataConfig;
  readonly seed: number;
  /** The run's config: evaluate in training's chunks, so the test loss equals the last `testLoss` to the bit. */
  readonly training?: Pick<RunConfig, 'train' | 'parallel'>;
  /** Names it in messages: `run config runs/x/config.json`. */
  readonly name: string;
}

export async function evaluateConfigSplit(
  model: LoadedModel,
  source: DataSource,
  split: SplitName,
): Promise<EvaluatedData> {
  const dataset = await loadDataset(source.data, source.seed);
  if (dataset.features !== model.features) {
    const what = `rows of ${dataset.features} features; the model takes ${model.features}`;
    throw new UserError(`✖ ${source.name} gives ${what} → at ${source.name}`);
  }
  // Images of another height and width (or channels) are other data, though their sizes agree.
  const [modelShape, dataShape] = [model.description.input.shape, dataset.shape];
  if (modelShape.length === 3 && dataShape?.length === 3 && modelShape.join() !== dataShape.join()) {
    const what = `[${dataShape.join(', ')}] images; the model takes [${modelShape.join(', ')}]`;
    throw new UserError(`✖ ${source.name} gives ${what} → at ${source.name}`);
  }
  const rows = split === 'test' ? dataset.test : dataset.train;
  if (!rows) {
    throw new UserError(
      `✖ ${source.name} holds out no test rows: pass --data FILE or --split train → at ${source.name}`,
    );
  }
  const given: StoredPreprocessing = dataset.preprocessing;
  const expected = model.description.preprocessing;
  if (JSON.stringify(canonical(given)) !== JSON.stringify(canonical(expected))) {
    throw new UserError(
      `✖ ${source.name} preprocesses its inputs differently (${describePreprocessing(given)}) from the model ` +
        `(${describePreprocessing(expected)}): give the data as a file, or the same data.normalize → at ${source.name}`,
    );
  }
  const training = source.training;
  const blockRows = training
    ? Math.ceil(Math.min(training.train.batchSize, dataset.train.count) / training.parallel.chunks)
    : undefined;
  return {
    evaluation: await model.evaluateAsync(rows, { blockRows }),
    what: `the ${split} split of ${splitSource(dataset.name, source.data, split)} (from ${source.name})`,
  };
}

/** The data a split is read from: a test file of its own when the config has one (not the training file). */
function splitSource(datasetName: string, data: DataConfig, split: SplitName): string {
  const testFile = 'testImages' in data ? data.testImages : 'testPath' in data ? data.testPath : undefined;
  return split === 'test' && testFile ? `${data.source}:${basename(testFile)}` : datasetName;
}

/** A config given as --data: a run config (with a `data` section) or a bare data section (with `source`). */
export function dataSourceOf(path: string, raw: Record<string, unknown>, runSeed: number): DataSource {
  if ('data' in raw) {
    const config = parseConfig(raw, `config ${path}`);
    return { data: config.data, seed: config.seed, name: `config ${path}` };
  }
  const parsed = dataConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`invalid data config ${path}:\n${formatIssues(parsed.error.issues)}`);
  }
  // A bare data section splits with the run's seed, so `{"source": "mnist"}` gives the run's test split.
  return { data: parsed.data, seed: runSeed, name: `data config ${path}` };
}

/** The JSON object in `path` if it is a config (has `data` or `source`), else null (a file of rows). */
export function readConfigObject(path: string): Record<string, unknown> | null {
  let text: string;
  try {
    if (statSync(path).size > 1 << 20) return null; // configs are small; rows files may be huge
    text = readFileSync(path, 'utf8');
  } catch {
    return null; // the rows reader names the file and the problem
  }
  if (!text.trimStart().startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return 'data' in value || 'source' in value ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export { evaluateFile, type FileOptions } from './evaluate-file.ts';

/** `÷ 1` is no preprocessing at all (one source may write it one way, another the other). */
function canonical(spec: StoredPreprocessing): StoredPreprocessing {
  return !spec || (spec.kind === 'divide' && spec.divisor === 1) ? { kind: 'none' } : spec;
}
