/**
 * describeModel: the content of a run's model.json, from what training already has in hand (the
 * resolved config, the model plan, the dataset). Pure: it reads and writes no file.
 */
import type { RunConfig } from '../config/schema.ts';
import type { ModelPlan } from '../model/plan.ts';
import {
  MODEL_FORMAT,
  MODEL_VERSION,
  WEIGHTS_FILE,
  type ModelDescription,
  type StoredPreprocessing,
} from './model-json.ts';

/** What describeModel needs of the data: a Dataset (src/data) has it all. */
export interface DescribedData {
  readonly features: number;
  readonly classes: number;
  /** The class names in class-index order (string labels of a CSV), or null when classes are indices. */
  readonly classNames?: readonly string[] | null;
  /**
   * What was applied to the raw inputs, with its statistics (`dataset.preprocessing`). When absent
   * it is read off `config.data.normalize`, which only works for a divisor or none.
   */
  readonly preprocessing?: StoredPreprocessing;
  readonly task?: 'classification' | 'regression';
  /** The training split: its smallest and largest input are recorded, so predict can warn about unscaled input. */
  readonly train?: { readonly inputs: ArrayLike<number> };
}

export function describeModel(
  config: Pick<RunConfig, 'model' | 'data' | 'parallel'>,
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
    loss: plan.config.loss,
    preprocessing: data.preprocessing !== undefined ? data.preprocessing : preprocessingOfConfig(config.data),
    inputRange: data.train ? rangeOf(data.train.inputs) : null,
    weights: { file: WEIGHTS_FILE, dtype: 'F32', layout: 'in,out' },
    kernels: config.parallel.kernels,
    layers,
  };
}

/**
 * The preprocessing a data config's `normalize` stands for when it is a single divisor: the csv
 * source's number, idx's `true` (255), or nothing (mnist's pixels are already in [0, 1]; synthetic
 * points are used as generated). Per-feature modes carry statistics only the dataset has.
 */
export function preprocessingOfConfig(data: RunConfig['data']): StoredPreprocessing {
  const normalize = (data as { normalize?: unknown }).normalize;
  if (normalize === undefined || normalize === false || normalize === 'none') return { kind: 'none' };
  if (normalize === true) return { kind: 'divide', divisor: 255 };
  if (typeof normalize === 'number') return normalize === 1 ? { kind: 'none' } : { kind: 'divide', divisor: normalize };
  throw new Error(`data.normalize ${JSON.stringify(normalize)} has statistics: pass dataset.preprocessing`);
}

function rangeOf(values: ArrayLike<number>): { min: number; max: number } | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
