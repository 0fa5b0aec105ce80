import { createRng, STREAM } from '../random.ts';
import type { ModelPlan } from './plan.ts';

/**
 * Fills the flat parameter vector from one seed: affine weights by their `init`, biases 0, scales 1.
 * Parameters are drawn in layout order from the `init` stream, so the data order never shifts them.
 */
export function initParams(plan: ModelPlan, values: Float32Array, seed: number): void {
  const rng = createRng(seed, STREAM.init);
  for (const p of plan.params) {
    const target = values.subarray(p.offset, p.offset + p.size);
    const layer = plan.config.layers[p.layer];
    if (p.name.endsWith('.scale')) target.fill(1);
    else if (p.name.endsWith('.bias') || layer.type !== 'affine' || layer.init === 'zeros') target.fill(0);
    else {
      const fanIn = p.shape[0];
      const std =
        layer.init === 'he' ? Math.sqrt(2 / fanIn) : layer.init === 'xavier' ? Math.sqrt(1 / fanIn) : layer.std;
      for (let i = 0; i < target.length; i++) target[i] = std * rng.normal();
    }
  }
}
