/**
 * describeModel: the content of a run's model.json, from what training already has in hand (the
 * resolved config, the model plan, the dataset). Pure: it reads and writes no file.
 */
import type { RunConfig } from '../config/schema.ts';
import { featureExtremes, inputLength } from '../data/inputs.ts';
import type { Preprocessing } from '../data/preprocess.ts';
import type { Inputs } from '../data/types.ts';
import type { ModelPlan } from '../model/plan.ts';
import { MODEL_FORMAT, MODEL_VERSION, WEIGHTS_FILE, type ModelDescription } from './model-json.ts';

/** What describeModel needs of the data: a Dataset (src/data) has it all. */
export interface DescribedData {
  readonly features: number;
  readonly classes: number;
  /** The class names in class-index order (string labels of a CSV), or null when classes are indices. */
  readonly classNames?: readonly string[] | null;
  /** What was applied to the raw inputs, with the training split's statistics (`dataset.preprocessing`). */
  readonly preprocessing?: Preprocessing | null;
  readonly task?: 'classification' | 'regression';
  /** A regressor's target names (CSV targetColumns), in output order. */
  readonly targetNames?: readonly string[] | null;
  /** The training split: its smallest and largest input are recorded, so predict can warn about unscaled input. */
  readonly train?: { readonly inputs: Inputs };
}

export function describeModel(
  config: Pick<RunConfig, 'parallel'>,
  plan: ModelPlan,
  data: DescribedData,
): ModelDescription {
  const layers = plan.config.layers.map((layer, index) => ({
    type: layer.type,
    config: layer,
    inputShape: [...(index === 0 ? plan.inputShape : plan.shapes[index - 1])],
    outputShape: [...plan.shapes[index]],
    params: plan.params.filter((p) => p.layer === index).map((p) => ({ name: p.name, shape: [...p.shape] })),
  }));
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    task: data.task ?? 'classification',
    input: { features: plan.inputs, shape: [...plan.inputShape] },
    outputs: plan.outputs,
    classes: data.classNames ? [...data.classNames] : null,
    ...(data.targetNames ? { targets: [...data.targetNames] } : {}),
    loss: plan.config.loss,
    preprocessing: data.preprocessing ?? null,
    inputRange: data.train ? rangeOf(data.train.inputs) : null,
    weights: { file: WEIGHTS_FILE, dtype: 'F32', layout: 'in,out' },
    kernels: config.parallel.kernels,
    layers,
  };
}

function rangeOf(inputs: Inputs): { min: number; max: number } | null {
  if (inputLength(inputs) === 0) return null;
  const { min, max } = featureExtremes(inputs, 1);
  return { min: min[0], max: max[0] };
}
