import type { ModelConfig } from '../config/model-schema.ts';
import type { ParamInit } from '../layers/param-init.ts';
import { kindOf, type Shape } from '../layers/registry.ts';
import { UserError } from '../errors.ts';
import { ShapeMismatch } from '../layers/window-shape.ts';
import { sizeOf } from '../tensor.ts';

/** Where one parameter tensor lives inside the model's flat parameter vector, and how it starts. */
export interface ParamPlacement {
  readonly name: string;
  readonly layer: number;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
  readonly init: ParamInit;
}

/** Where one buffer (batch norm's running statistics) lives inside the model's flat buffer vector. */
export interface BufferPlacement {
  readonly name: string;
  readonly layer: number;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
  readonly init: number;
}

/**
 * The layout of a chain model, derived from its config and input shape alone, so that the
 * coordinator and every worker compute the same offsets without talking to each other. All
 * parameters sit in one flat vector: gradient slots and optimizer state share its layout, and the
 * reduce and the update are single passes over it.
 */
export interface ModelPlan {
  readonly config: ModelConfig;
  /** Per-sample input shape, and its size (features per sample). */
  readonly inputShape: Shape;
  readonly inputs: number;
  /** Size of the last layer's per-sample output (the classes, for a classifier). */
  readonly outputs: number;
  readonly params: readonly ParamPlacement[];
  readonly paramCount: number;
  /** Non-learnable state in a flat vector of its own (empty for most models): the optimizer never sees it. */
  readonly buffers: readonly BufferPlacement[];
  readonly bufferCount: number;
  /** Per-sample output shape of each layer, in layer order. */
  readonly shapes: readonly Shape[];
}

/** Lays out a model for samples of `input` features (a number) or of a per-sample shape. */
export function planModel(config: ModelConfig, input: number | Shape): ModelPlan {
  const inputShape = typeof input === 'number' ? [input] : [...input];
  const params: ParamPlacement[] = [];
  const buffers: BufferPlacement[] = [];
  const shapes: Shape[] = [];
  let shape: Shape = inputShape;
  let offset = 0;
  let bufferOffset = 0;
  config.layers.forEach((layer, index) => {
    const kind = kindOf(layer);
    const layerParams = checked(config, index, shape, () => kind.params(layer, shape));
    for (const { name, shape: paramShape, init } of layerParams) {
      const size = sizeOf(paramShape);
      params.push({ name: `layers.${index}.${name}`, layer: index, shape: paramShape, offset, size, init });
      offset += size;
    }
    for (const { name, shape: bufferShape, init } of kind.buffers?.(layer, shape) ?? []) {
      const size = sizeOf(bufferShape);
      buffers.push({
        name: `layers.${index}.${name}`,
        layer: index,
        shape: bufferShape,
        offset: bufferOffset,
        size,
        init,
      });
      bufferOffset += size;
    }
    shape = checked(config, index, shape, () => kind.outputShape(layer, shape));
    shapes.push(shape);
  });
  return {
    config,
    inputShape,
    inputs: sizeOf(inputShape),
    outputs: sizeOf(shape),
    params,
    paramCount: offset,
    buffers,
    bufferCount: bufferOffset,
    shapes,
  };
}

/** Runs a layer kind's shape callback; an input it cannot take is a config error naming the layer and both shapes. */
function checked<T>(config: ModelConfig, index: number, input: Shape, shapeOf: () => T): T {
  try {
    return shapeOf();
  } catch (error) {
    if (!(error instanceof ShapeMismatch)) throw error;
    const from = index === 0 ? 'the data' : `model.layers[${index - 1}] (${config.layers[index - 1].type})`;
    const hint = index === 0 && input.length === 1 ? '; give the data its image shape in data.shape' : '';
    throw new UserError(
      `model.layers[${index}] (${config.layers[index].type}) gets [${input.join(', ')}] from ${from}, ` +
        `but ${error.needs}${hint}\n  → at model.layers[${index}]`,
    );
  }
}
