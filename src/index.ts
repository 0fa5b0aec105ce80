/**
 * shardprop's typed API: experiments are scripts, not shell loops.
 *
 *   import { train, loadConfig } from 'shardprop';
 *   const result = await train({ ...loadConfig('data/configs/mnist-mlp.json'), name: 'try' }, { write: false });
 */
export { loadConfig, parseConfig } from './config/load.ts';
export { runConfigSchema, type RunConfig, type RunConfigInput, type OptimizerConfig } from './config/schema.ts';
export { modelSchema, type ModelConfig, type LayerConfig } from './config/model-schema.ts';
export { dataConfigSchema, type DataConfig } from './data/schema.ts';
export { loadDataset } from './data/load.ts';
export type { Dataset, Split } from './data/types.ts';
export { train, type TrainOptions, type TrainResult, type EpochMetrics, type TrainSummary } from './train/train.ts';
export { encodeSafetensors, decodeSafetensors, type NamedTensor } from './io/safetensors.ts';
export { UserError } from './errors.ts';
export { tensor, type Tensor } from './tensor.ts';
export { Mul, Add } from './layers/elementwise.ts';
export { ReLU, Sigmoid, Tanh } from './layers/activations.ts';
export { Affine } from './layers/affine.ts';
export { Scale, Bias } from './layers/scale-bias.ts';
export { SoftmaxCrossEntropy, MeanSquaredError } from './layers/losses.ts';
export { loadModel, type LoadModelOptions } from './use/load.ts';
export type { LoadedModel, EvaluationData, EvaluateOptions } from './use/loaded-model.ts';
export type { Evaluation } from './use/evaluation.ts';
export type { ClassMetrics, Confusion } from './use/metrics.ts';
export type { Rows } from './use/rows.ts';
export { describeModel } from './use/describe.ts';
export type { ModelDescription } from './use/model-json.ts';
export { confusionOf } from './use/confusion.ts';
export { ChainModel } from './model/chain.ts';
export { planModel } from './model/plan.ts';
export { referenceKernels } from './kernels/reference.ts';
