import type { LayerConfig, ModelConfig } from '../config/model-schema.ts';
import { sizeOf } from '../tensor.ts';

/** Where one parameter tensor lives inside the model's flat parameter vector. */
export interface ParamPlacement {
  readonly name: string;
  readonly layer: number;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/**
 * The layout of a chain model, derived from its config and input width alone, so that the
 * coordinator and every worker compute the same offsets without talking to each other. All
 * parameters sit in one flat vector: gradient slots and optimizer state share its layout, and the
 * reduce and the update are single passes over it.
 */
export interface ModelPlan {
  readonly config: ModelConfig;
  readonly inputs: number;
  readonly outputs: number;
  readonly params: readonly ParamPlacement[];
  readonly paramCount: number;
  /** Width of each layer's output, in layer order. */
  readonly widths: readonly number[];
}

function paramShapes(layer: LayerConfig, inputs: number): Array<[string, number[]]> {
  switch (layer.type) {
    case 'affine':
      return [
        ['weight', [inputs, layer.units]],
        ['bias', [layer.units]],
      ];
    case 'mul':
      return [['scale', [inputs]]];
    case 'add':
      return [['bias', [inputs]]];
    default:
      return [];
  }
}

export function planModel(config: ModelConfig, inputs: number): ModelPlan {
  const params: ParamPlacement[] = [];
  const widths: number[] = [];
  let width = inputs;
  let offset = 0;
  config.layers.forEach((layer, index) => {
    for (const [name, shape] of paramShapes(layer, width)) {
      const size = sizeOf(shape);
      params.push({ name: `layers.${index}.${name}`, layer: index, shape, offset, size });
      offset += size;
    }
    if (layer.type === 'affine') width = layer.units;
    widths.push(width);
  });
  return { config, inputs, outputs: width, params, paramCount: offset, widths };
}
