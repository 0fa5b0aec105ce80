/**
 * `npm run eval -- runs/x [--data FILE-or-config] [--json] [--write]`: loss, accuracy, confusion
 * matrix and per-class precision, recall and F1 of a run's model — on its test split (re-created
 * from the run's config.json; the loss and accuracy are then those of the last epoch's metrics, to
 * the bit), on another config's split, or on a file of labelled rows. `--write` records the test
 * split's confusion matrix as the run's confusion.json (shown by `npm run report`).
 */
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { RunLock } from '../io/run-lock.ts';
import { choiceFlag, parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';
import { evaluationText } from '../use/eval-text.ts';
import {
  dataSourceOf,
  evaluateConfigSplit,
  evaluateFile,
  readConfigObject,
  type EvaluatedData,
} from '../use/evaluate-data.ts';
import { loadModel } from '../use/load.ts';
import type { LoadedModel } from '../use/loaded-model.ts';
import { csvLabelColumn, csvTargetColumns, readRunConfig } from '../use/run-config.ts';
import { labelColumnFlag } from './predict.ts';

export const command = {
  usage: 'npm run eval -- <run-dir> [--data FILE|CONFIG] [--split test|train] [--json] [--write]',
  about:
    "Evaluates the run's model: loss, accuracy, confusion matrix, and precision, recall and F1 per\n" +
    "class (a regressor: loss, mse, mae and R², overall and per target). By default on the run's\n" +
    "test split, re-created from its config.json (the same numbers as the last epoch's metrics).\n" +
    '--data evaluates on a file of labelled rows (CSV with a label column or the target columns, IDX\n' +
    'images with --labels, JSON {"rows": […], "labels" or "targets": […]}) or on the split of another\n' +
    'config (a run config, or a data section).',
  flags: {
    data: { type: 'string', value: 'FILE', description: 'labelled rows, or a config whose split to use' },
    labels: { type: 'string', value: 'FILE', description: 'with IDX images in --data: the IDX labels file' },
    'label-column': {
      type: 'string',
      value: 'N|NAME',
      description: "CSV: the label column, a 0-based index or a header name (default: the run's, else 0)",
    },
    split: { type: 'string', value: 'SPLIT', default: 'test', description: 'with a config: test or train' },
    json: { type: 'boolean', description: 'print one JSON object instead of tables' },
    write: { type: 'boolean', description: "write the test split's confusion matrix to <run-dir>/confusion.json" },
  },
  positionals: { min: 1, max: 1, name: 'run directory' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const { values } = args;
    const runDir = userPath(io, args.positionals[0]);
    const split = choiceFlag(values.split, 'split', ['test', 'train'] as const);
    const data = values.data === undefined ? undefined : userPath(io, values.data);
    if (values.write && (data !== undefined || split !== 'test')) {
      const flag = data !== undefined ? '--data' : '--split';
      throw new UserError(`✖ --write records the run's own test split; not with ${flag} → at ${flag}`);
    }
    if (values.labels !== undefined && data === undefined) {
      throw new UserError('✖ --labels goes with --data IMAGES (an IDX images file) → at --labels');
    }
    const model = loadModel(runDir);
    if (values.write && model.task === 'regression') {
      throw new UserError("✖ --write records a classifier's confusion matrix; this model is a regressor → at --write");
    }
    const result = await evaluate(model, runDir, data, split, {
      labelsFile: values.labels === undefined ? undefined : userPath(io, values.labels),
      labelColumn: labelColumnFlag(values['label-column']),
    });
    const { evaluation } = result;
    if (values.write && evaluation.task === 'classification') writeConfusion(runDir, evaluation.confusion, io);
    if (values.json) io.stdout.write(JSON.stringify({ run: runDir, data: result.what, ...evaluation }) + '\n');
    else io.stdout.write(evaluationText(evaluation, `${runDir} on ${result.what}`));
    if (values.write && !values.json) io.stdout.write(`eval: wrote ${join(runDir, 'confusion.json')}\n`);
  });
}

async function evaluate(
  model: LoadedModel,
  runDir: string,
  data: string | undefined,
  split: 'test' | 'train',
  options: { labelsFile?: string; labelColumn?: number | string },
): Promise<EvaluatedData> {
  if (data === undefined) {
    const config = readRunConfig(runDir);
    const name = `the run's config.json`;
    return evaluateConfigSplit(model, { data: config.data, seed: config.seed, training: config, name }, split);
  }
  const configObject = readConfigObject(data);
  if (configObject) {
    const runSeed = (() => {
      try {
        return readRunConfig(runDir).seed;
      } catch {
        return 42; // the config schema's default seed
      }
    })();
    return evaluateConfigSplit(model, dataSourceOf(data, configObject, runSeed), split);
  }
  const labelColumn = options.labelColumn ?? csvLabelColumn(runDir);
  const targetColumns = csvTargetColumns(runDir);
  return evaluateFile(model, data, { labelsFile: options.labelsFile, labelColumn, targetColumns });
}

/** confusion.json, atomically, holding the run's lock (a run training into the directory is not disturbed). */
function writeConfusion(runDir: string, confusion: { classes: string[]; matrix: number[][] }, io: Io): void {
  const lock = RunLock.acquire(runDir, runDir, (message) => io.stderr.write(message + '\n'));
  try {
    writeFileAtomic(join(runDir, 'confusion.json'), JSON.stringify(confusion, null, 2) + '\n');
  } finally {
    lock.release();
  }
}

if (isScript(import.meta.url)) await runScript(main);
