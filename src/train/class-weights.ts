import type { ClassWeights } from '../config/techniques.ts';
import type { ModelConfig } from '../config/model-schema.ts';
import { UserError } from '../errors.ts';

/**
 * The per-class loss weights of a run, from `train.classWeights` and the training labels (class
 * indices), or null when the config gives none. "balanced" is scikit-learn's
 * n_samples / (n_classes · n_c): each class then contributes the same total weight to an epoch,
 * and the weights average to 1 over the training samples. A class with no training sample gets
 * weight 0 (it never appears in a training loss). Errors name `train.classWeights`.
 */
export function resolveClassWeights(
  spec: ClassWeights | undefined,
  loss: ModelConfig['loss'],
  labels: Float32Array,
  classes: number,
): Float32Array | null {
  if (spec === undefined) return null;
  const fail = (why: string) => new UserError(`${why}\n  → at train.classWeights`);
  if (loss !== 'softmax-cross-entropy') {
    throw fail(`class weights apply to softmax-cross-entropy only; model.loss is "${loss}"`);
  }
  if (spec !== 'balanced') {
    if (spec.length !== classes) {
      throw fail(`${spec.length} class weights but the data has ${classes} classes: give one per class`);
    }
    return Float32Array.from(spec);
  }
  const counts = new Float64Array(classes);
  for (const label of labels) counts[label]++;
  return Float32Array.from(counts, (n) => (n === 0 ? 0 : labels.length / (classes * n)));
}
