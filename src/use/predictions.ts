/**
 * Predictions for every row of an input file, as CSV: one line per input row, in order. A
 * classifier writes its class (the name, or the index), and with probabilities one `p_<class>`
 * column per class; a regressor writes its outputs. Numbers are the shortest decimals that read
 * back to the same float32.
 */
import { displayFloat32 } from '../graph/values.ts';
import { readInputBlocks } from './input/read.ts';
import type { LoadedModel } from './loaded-model.ts';
import { softmaxInto, argmaxInto } from './metrics.ts';
import type { TextSink } from './output.ts';

export interface PredictOptions {
  readonly probabilities: boolean;
  /** CSV input: the label column to drop when rows have one column more than the model's features. */
  readonly labelColumn?: number | string;
  /** A regressor's CSV input: the target columns to drop when rows hold them (default: model.json's names). */
  readonly targetColumns?: readonly (number | string)[];
}

export interface PredictSummary {
  readonly rows: number;
  /** The smallest and largest input the first layer was given (after preprocessing). */
  readonly inputRange: { min: number; max: number } | null;
}

export async function writePredictions(
  model: LoadedModel,
  inputPath: string,
  sink: TextSink,
  options: PredictOptions,
): Promise<PredictSummary> {
  const width = model.outputWidth;
  const regression = model.task === 'regression';
  if (options.probabilities) model.requireLogits();
  const columns = regression
    ? [...model.targets]
    : ['class', ...(options.probabilities ? model.classes.map((name) => `p_${name}`) : [])];
  sink.write(columns.map(csvCell).join(',') + '\n');
  const predicted = new Int32Array(model.rowsPerBlock);
  const probabilities = new Float32Array(model.rowsPerBlock * width);
  let rows = 0;
  let min = Infinity;
  let max = -Infinity;
  const blocks = readInputBlocks(inputPath, {
    features: model.features,
    shape: model.description.input.shape,
    blockRows: model.rowsPerBlock,
    labels: 'optional',
    labelColumn: options.labelColumn,
    namedLabels: model.description.classes !== null,
    ...(regression ? { targetColumns: options.targetColumns ?? model.targets } : {}),
  });
  for await (const block of blocks) {
    const inputs = model.prepare(block.values, block.count);
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i] < min) min = inputs[i];
      if (inputs[i] > max) max = inputs[i];
    }
    const output = model.run(block.count).data;
    const lines: string[] = [];
    if (regression) {
      for (let i = 0; i < block.count; i++) {
        lines.push(Array.from(output.subarray(i * width, (i + 1) * width), displayFloat32).join(','));
      }
    } else {
      argmaxInto(output, block.count, width, predicted);
      if (options.probabilities) softmaxInto(output, block.count, width, probabilities);
      for (let i = 0; i < block.count; i++) {
        const name = csvCell(model.classes[predicted[i]]);
        if (!options.probabilities) lines.push(name);
        else
          lines.push(
            [name, ...Array.from(probabilities.subarray(i * width, (i + 1) * width), displayFloat32)].join(','),
          );
      }
    }
    sink.write(lines.join('\n') + '\n');
    rows += block.count;
  }
  return { rows, inputRange: rows > 0 ? { min, max } : null };
}

/**
 * A warning when the inputs are far outside what the model was trained on (e.g. raw 0–255 pixels
 * for a model trained on [0, 1]), or null.
 */
export function inputRangeWarning(model: LoadedModel, seen: { min: number; max: number } | null): string | null {
  const trained = model.description.inputRange;
  if (!trained || !seen) return null;
  const span = Math.max(trained.max - trained.min, 1e-6);
  if (seen.min >= trained.min - 10 * span && seen.max <= trained.max + 10 * span) return null;
  return (
    `the inputs span ${seen.min} to ${seen.max} after the model's preprocessing, but training inputs spanned ` +
    `${trained.min} to ${trained.max}: are the rows scaled as the training data was?`
  );
}

/** A CSV cell: quoted (with quotes doubled) when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
