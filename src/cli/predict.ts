/**
 * `npm run predict -- runs/x INPUT [--out preds.csv] [--probabilities]`: the trained model's
 * prediction for every row of INPUT (CSV, IDX images or JSON rows; gzipped or not), one CSV line per
 * row, to --out (written whole or not at all) or stdout (written once every row is read). Bad
 * input exits 2 naming the file and line, and writes nothing.
 */
import { UserError } from '../errors.ts';
import { loadModel } from '../use/load.ts';
import { bufferedSink, fileSink } from '../use/output.ts';
import { inputRangeWarning, writePredictions } from '../use/predictions.ts';
import { csvLabelColumn, csvTargetColumns } from '../use/run-config.ts';
import { parseCommand } from './args.ts';
import { isScript, runCommand, runScript, userPath, type Io } from './io.ts';

export const command = {
  usage: 'npm run predict -- <run-dir> <input> [--out FILE] [--probabilities] [--label-column N|NAME]',
  about:
    "Predicts every row of <input> with the run's model: CSV (one row per line, an optional header,\n" +
    'a label column is dropped), IDX images (raw or gzipped) or JSON rows ([[…], …] or {"rows": […]}).\n' +
    'Writes CSV: the class (name or index) of each row, with --probabilities also the softmax\n' +
    "probability of every class (p_<class> columns); a regressor's outputs, one column per target\n" +
    '(the target columns of a CSV <input> are dropped).',
  flags: {
    out: { type: 'string', value: 'FILE', description: 'write the predictions here (default: stdout)' },
    probabilities: { type: 'boolean', description: 'add the probability of every class' },
    'label-column': {
      type: 'string',
      value: 'N|NAME',
      description: "CSV rows with one column more than features: the label column to drop (default: the run's, else 0)",
    },
  },
  positionals: { min: 2, max: 2, name: 'arguments (a run directory and an input file)' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const [runDir, input] = args.positionals.map((path) => userPath(io, path));
    const model = loadModel(runDir);
    if (args.values.probabilities) model.requireLogits();
    const labelColumn = labelColumnFlag(args.values['label-column']) ?? csvLabelColumn(runDir);
    const out = args.values.out === undefined ? undefined : userPath(io, args.values.out);
    const sink = out === undefined ? bufferedSink(io.stdout) : fileSink(out);
    try {
      const summary = await writePredictions(model, input, sink, {
        probabilities: args.values.probabilities,
        labelColumn,
        targetColumns: csvTargetColumns(runDir),
      });
      sink.commit();
      const warning = inputRangeWarning(model, summary.inputRange);
      if (warning) io.stderr.write(`warning: ${warning}\n`);
      if (out !== undefined) io.stdout.write(`predict: ${summary.rows} rows → ${out}\n`);
    } finally {
      sink.abort();
    }
  });
}

/** `--label-column 3` (a 0-based index) or `--label-column species` (a header name). */
export function labelColumnFlag(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UserError('✖ --label-column needs a column index or name → at --label-column');
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

if (isScript(import.meta.url)) await runScript(main);
