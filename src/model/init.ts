import type { ParamInit } from '../layers/param-init.ts';
import { createRng, STREAM, type Rng } from '../random.ts';
import type { ModelPlan } from './plan.ts';

/**
 * Fills the flat parameter vector from one seed, each tensor by the init its layer kind declared
 * (layers/registry.ts). Tensors are drawn in layout order from the `init` stream, so the data
 * order never shifts them; a constant tensor draws nothing.
 */
export function initParams(plan: ModelPlan, values: Float32Array, seed: number): void {
  const rng = createRng(seed, STREAM.init);
  for (const p of plan.params) fill(values.subarray(p.offset, p.offset + p.size), p.init, rng);
}

function fill(target: Float32Array, init: ParamInit, rng: Rng): void {
  if (init.kind === 'constant') target.fill(init.value);
  else for (let i = 0; i < target.length; i++) target[i] = init.std * rng.normal();
}

/** Sets every buffer (batch norm's running statistics) to its starting value: mean 0, variance 1. */
export function initBuffers(plan: ModelPlan, buffers: Float32Array): void {
  for (const b of plan.buffers) buffers.fill(b.init, b.offset, b.offset + b.size);
}
