/**
 * LoadedModel.evaluate for a regressor: a prepared split (a dataset's, already preprocessed, its
 * targets rows × outputs) or raw rows with their targets, through the model's forward engine in
 * blocks, into a RegressionAccumulator.
 */
import { UserError } from '../errors.ts';
import type { ForwardEngine } from './engine.ts';
import type { EvaluationData } from './evaluation-data.ts';
import type { StoredPreprocessing } from './model-json.ts';
import { preprocessInto } from './preprocess.ts';
import { flatTargets, RegressionAccumulator, type RegressionEvaluation } from './regression-evaluation.ts';
import { rowSource } from './rows.ts';
import { copyInputs, inputLength } from '../data/inputs.ts';

/** What evaluateRegressor needs of a LoadedModel. */
export interface RegressorParts {
  readonly features: number;
  readonly outputWidth: number;
  readonly targets: readonly string[];
  readonly description: { readonly preprocessing: StoredPreprocessing };
  engine(blockRows: number): ForwardEngine;
}

export function evaluateRegressor(
  model: RegressorParts,
  data: EvaluationData,
  blockRows: number,
): RegressionEvaluation {
  const width = model.outputWidth;
  const features = model.features;
  const accumulator = new RegressionAccumulator(model.targets);
  const engine = model.engine(blockRows);
  if ('rows' in data) {
    if (!('targets' in data)) {
      throw new UserError('✖ a regressor is evaluated on targets (rows × outputs numbers), not labels → at labels');
    }
    const source = rowSource(data.rows, features);
    const targets = flatTargets(data.targets, source.count, width);
    for (let start = 0; start < source.count; start += blockRows) {
      const count = Math.min(blockRows, source.count - start);
      preprocessInto(model.description.preprocessing, source.block(start, count), engine.inputOf(count));
      const block = Float32Array.from(targets.subarray(start * width, (start + count) * width));
      const { output, lossSum } = engine.forwardLoss(count, block);
      accumulator.add(output.data, block, count, lossSum);
    }
    return accumulator.result();
  }
  const split = 'test' in data ? data.test : data;
  if (!split) throw new UserError('✖ the dataset has no test split to evaluate → at test');
  if (inputLength(split.inputs) !== split.count * features || split.targets.length !== split.count * width) {
    throw new UserError(
      `✖ the split's rows have ${inputLength(split.inputs) / split.count} features and ` +
        `${split.targets.length / split.count} targets; the model takes ${features} and gives ${width} → at inputs`,
    );
  }
  for (let start = 0; start < split.count; start += blockRows) {
    const count = Math.min(blockRows, split.count - start);
    copyInputs(split.inputs, start * features, (start + count) * features, engine.inputOf(count));
    const block = Float32Array.from({ length: count * width }, (_, i) => split.targets[start * width + i]);
    const { output, lossSum } = engine.forwardLoss(count, block);
    accumulator.add(output.data, block, count, lossSum);
  }
  return accumulator.result();
}
