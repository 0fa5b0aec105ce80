import type { NamedTensor } from '../io/safetensors.ts';
import type { ModelPlan } from '../model/plan.ts';

/** A model's learned state: the flat parameter vector and the flat buffer vector (empty without batch norm). */
export interface ModelState {
  readonly params: Float32Array;
  readonly buffers: Float32Array;
}

/**
 * Copies of every parameter tensor of the flat vector, named like `layers.0.weight`, then of every
 * buffer (batch norm's `layers.<i>.running_mean` / `running_var`) when `buffers` is given.
 */
export function weightsOf(plan: ModelPlan, params: Float32Array, buffers?: Float32Array): Record<string, NamedTensor> {
  const copy = (flat: Float32Array) => (p: { name: string; shape: readonly number[]; offset: number; size: number }) =>
    [p.name, { shape: p.shape, data: flat.slice(p.offset, p.offset + p.size) }] as const;
  return Object.fromEntries([...plan.params.map(copy(params)), ...(buffers ? plan.buffers.map(copy(buffers)) : [])]);
}
