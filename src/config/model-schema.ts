import { z } from 'zod';
import { layerKinds } from '../layers/registry.ts';

export type { LayerConfig } from '../layers/registry.ts';

const [first, ...rest] = Object.values(layerKinds).map((kind) => kind.schema);

/**
 * One layer of the chain: the union of every layer kind's schema (src/layers/registry.ts), told apart
 * by `type`. An alias (`mul`, `add`) parses to the type it stands for.
 */
export const layerSchema = z.discriminatedUnion('type', [first, ...rest]);

export const modelSchema = z.strictObject({
  layers: z.array(layerSchema).min(1),
  loss: z.enum(['softmax-cross-entropy', 'mse']).default('softmax-cross-entropy'),
});

export type ModelConfig = z.infer<typeof modelSchema>;
