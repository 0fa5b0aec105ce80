import type { NamedTensor } from '../io/safetensors.ts';
import type { ModelPlan } from '../model/plan.ts';

/** Copies of every parameter tensor of the flat vector, named like `layers.0.weight`. */
export function weightsOf(plan: ModelPlan, params: Float32Array): Record<string, NamedTensor> {
  return Object.fromEntries(
    plan.params.map((p) => [p.name, { shape: p.shape, data: params.slice(p.offset, p.offset + p.size) }]),
  );
}
