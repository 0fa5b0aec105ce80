import { z } from 'zod';

/** Largest layer width accepted; a 1e6×1e6 affine would need 4 TB and is refused up front. */
const MAX_UNITS = 1 << 20;

const affine = z.strictObject({
  type: z.literal('affine'),
  units: z.int().min(1).max(MAX_UNITS),
  /** he: N(0, 2/fanIn); xavier: N(0, 1/fanIn) (as in "Deep Learning from Scratch"); normal: N(0, std²). */
  init: z.enum(['he', 'xavier', 'normal', 'zeros']).default('he'),
  std: z.number().positive().default(0.01),
});

export const layerSchema = z.discriminatedUnion('type', [
  affine,
  /** learnable elementwise scale, one per feature, initialised to 1 */
  z.strictObject({ type: z.literal('mul') }),
  /** learnable bias, one per feature, initialised to 0 */
  z.strictObject({ type: z.literal('add') }),
  z.strictObject({ type: z.literal('relu') }),
  z.strictObject({ type: z.literal('sigmoid') }),
  z.strictObject({ type: z.literal('tanh') }),
]);

export const modelSchema = z.strictObject({
  layers: z.array(layerSchema).min(1),
  loss: z.enum(['softmax-cross-entropy', 'mse']).default('softmax-cross-entropy'),
});

export type LayerConfig = z.infer<typeof layerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
