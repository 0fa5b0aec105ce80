import { z } from 'zod';
import { sizeOf } from '../tensor.ts';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.ts';
import { Affine } from './affine.ts';
import { BatchNorm } from './batch-norm.ts';
import { Dropout } from './dropout.ts';
import { Gelu, GELU_APPROXIMATIONS } from './gelu.ts';
import type { ForwardMode, Layer, LayerContext, Param } from './layer.ts';
import { LayerNorm } from './layer-norm.ts';
import { constant, WEIGHT_INITS, weightInit, type ParamInit } from './param-init.ts';
import { Bias, Scale } from './scale-bias.ts';
import { Conv2d } from './conv2d.ts';
import { AvgPool, Flatten, MaxPool } from './pooling.ts';
import { sizePair, windowOn, type SizePair } from './window-shape.ts';
import type { WindowGeometry } from '../kernels/window.ts';

/**
 * Every kind of layer a model config can name, in one table: its config schema, the shapes and
 * inits of its parameters, its output shape, and how to build its forward/backward object. The
 * config schema, the model plan, the weight init and the chain model all read this table and
 * nothing else, so a new layer type is one entry here plus its class in src/layers/.
 */

/** A per-sample shape, without the rows axis: [features] for a flat row, [channels, height, width] for an image. */
export type Shape = readonly number[];

/** One learnable tensor of a layer, in the order its class takes them. */
export interface ParamSpec {
  /** Short name; the model calls it `layers.<index>.<name>` (e.g. in model.safetensors). */
  readonly name: string;
  readonly shape: Shape;
  readonly init: ParamInit;
}

/**
 * A non-learnable tensor a layer keeps across steps (batch norm's running statistics): saved with
 * the weights, never touched by the optimizer. Laid out by planModel in a flat vector of its own.
 */
export interface BufferSpec {
  readonly name: string;
  readonly shape: Shape;
  /** Every element's starting value. */
  readonly init: number;
}

/** A buffer's current storage; the model may point `value` at another copy between forwards. */
export interface BufferView {
  readonly name: string;
  value: Float32Array;
}

/** What a layer's class is built from. Buffers come from `context.alloc`, sized for `maxRows` rows, once. */
export interface BuildArgs {
  readonly input: Shape;
  /** Views of the parameters declared by `params`, in that order. */
  readonly params: readonly Param[];
  readonly maxRows: number;
  readonly context: LayerContext;
  /** False for the first layer of a net: nobody needs d loss / d data, so the layer may skip it. */
  readonly inputGradient: boolean;
  /** The layer's position in the chain (dropout keys its mask with it). */
  readonly index: number;
  /** Training or evaluation, set by the model before every forward (dropout and batch norm read it). */
  readonly mode: ForwardMode;
  /** Views of the buffers declared by `buffers`, in that order (none for most layers). */
  readonly buffers: readonly BufferView[];
}

export interface LayerKind<S extends z.ZodType = z.ZodType> {
  /** The config object's schema, `type` key included; unknown keys are errors, defaults filled. */
  readonly schema: S;
  /** The per-sample output shape for a per-sample input shape. */
  outputShape(config: z.output<S>, input: Shape): Shape;
  /** The learnable tensors for this input shape (none for a plain activation). */
  params(config: z.output<S>, input: Shape): readonly ParamSpec[];
  /** Non-learnable state kept across steps (absent: none). */
  buffers?(config: z.output<S>, input: Shape): readonly BufferSpec[];
  build(config: z.output<S>, args: BuildArgs): Layer;
}

/** Ties each entry's callbacks to its own schema's config type. */
const layerKind = <S extends z.ZodType>(kind: LayerKind<S>): LayerKind<S> => kind;

/**
 * The `type` key of a layer config: its name, or an older name (an alias) that parses to the name,
 * so a resolved config (the run directory's config.json) always says the current one.
 */
const layerType = <T extends string, A extends string = never>(name: T, ...aliases: A[]) =>
  z.literal([name, ...aliases]).transform((): T => name);

/** Largest layer width accepted; a 1e6×1e6 affine would need 4 TB and is refused up front. */
const MAX_UNITS = 1 << 20;

/** A parameter-free layer applied to each element: output shape = input shape. */
function elementwise<T extends string>(name: T, Class: new (capacity: number, context: LayerContext) => Layer) {
  return layerKind({
    schema: z.strictObject({ type: layerType(name) }),
    outputShape: (_, input) => input,
    params: () => [],
    build: (_, { input, maxRows, context }) => new Class(maxRows * sizeOf(input), context),
  });
}

/** A pooling layer: a parameter-free window per channel. */
function poolKind<T extends string>(name: T, build: (g: WindowGeometry, args: BuildArgs) => Layer) {
  const windowOf = (config: { size: SizePair; stride?: SizePair }, input: Shape) =>
    windowOn(name, input, config.size, config.stride ?? config.size, 0);
  return layerKind({
    schema: z.strictObject({ type: layerType(name), size: sizePair(1), stride: sizePair(1).optional() }),
    outputShape: (config, input) => {
      const g = windowOf(config, input);
      return [g.channels, g.outH, g.outW];
    },
    params: () => [],
    build: (config, args) => build(windowOf(config, args.input), args),
  });
}

export const layerKinds = {
  /** y = x·W + b: `units` outputs, each sample's input taken as one flat vector. */
  affine: layerKind({
    schema: z.strictObject({
      type: layerType('affine'),
      units: z.int().min(1).max(MAX_UNITS),
      init: z.enum(WEIGHT_INITS).default('he'),
      /** Only read by init `normal`. */
      std: z.number().positive().default(0.01),
    }),
    outputShape: (config) => [config.units],
    params: (config, input) => [
      {
        name: 'weight',
        shape: [sizeOf(input), config.units],
        init: weightInit(config.init, sizeOf(input), config.units, config.std),
      },
      { name: 'bias', shape: [config.units], init: constant(0) },
    ],
    build: (config, { input, params, maxRows, context, inputGradient }) =>
      new Affine(sizeOf(input), config.units, params[0], params[1], maxRows, context, inputGradient),
  }),
  /** y = x ⊙ s: a learnable scale per input feature, starting at 1. Older configs call it `mul`. */
  scale: layerKind({
    schema: z.strictObject({ type: layerType('scale', 'mul') }),
    outputShape: (_, input) => input,
    params: (_, input) => [{ name: 'scale', shape: input, init: constant(1) }],
    build: (_, { input, params, maxRows, context }) => new Scale(sizeOf(input), params[0], maxRows, context),
  }),
  /** y = x + b: a learnable bias per input feature, starting at 0. Older configs call it `add`. */
  bias: layerKind({
    schema: z.strictObject({ type: layerType('bias', 'add') }),
    outputShape: (_, input) => input,
    params: (_, input) => [{ name: 'bias', shape: input, init: constant(0) }],
    build: (_, { input, params, maxRows, context }) => new Bias(sizeOf(input), params[0], maxRows, context),
  }),
  relu: elementwise('relu', ReLU),
  sigmoid: elementwise('sigmoid', Sigmoid),
  tanh: elementwise('tanh', Tanh),
  /** y = x for x > 0, α·x otherwise. */
  'leaky-relu': layerKind({
    schema: z.strictObject({ type: layerType('leaky-relu'), alpha: z.number().min(0).max(1).default(0.01) }),
    outputShape: (_, input) => input,
    params: () => [],
    build: (config, { input, maxRows, context }) => new LeakyReLU(maxRows * sizeOf(input), context, config.alpha),
  }),
  /** y = x·Φ(x): exact through erf (PyTorch's default) or its tanh approximation. */
  gelu: layerKind({
    schema: z.strictObject({ type: layerType('gelu'), approximate: z.enum(GELU_APPROXIMATIONS).default('none') }),
    outputShape: (_, input) => input,
    params: () => [],
    build: (config, { input, maxRows, context }) => new Gelu(maxRows * sizeOf(input), context, config.approximate),
  }),
  /** Per sample over its features: (x − μ)/√(σ² + ε), then a learnable scale γ and offset β per feature. */
  'layer-norm': layerKind({
    schema: z.strictObject({ type: layerType('layer-norm'), epsilon: z.number().positive().max(1).default(1e-5) }),
    outputShape: (_, input) => input,
    params: (_, input) => [
      { name: 'gamma', shape: input, init: constant(1) },
      { name: 'beta', shape: input, init: constant(0) },
    ],
    build: (config, { input, params, maxRows, context }) =>
      new LayerNorm(sizeOf(input), params[0], params[1], config.epsilon, maxRows, context),
  }),
  /** Inverted dropout in training (each unit zeroed with probability `rate`); the identity in evaluation. */
  dropout: layerKind({
    schema: z.strictObject({ type: layerType('dropout'), rate: z.number().min(0).lt(1).default(0.5) }),
    outputShape: (_, input) => input,
    params: () => [],
    build: (config, { input, maxRows, context, index, mode }) =>
      new Dropout(sizeOf(input), config.rate, index, maxRows, context, mode),
  }),
  /**
   * Per feature over the rows of the WHOLE batch (however it is chunked): (x − μ)/√(σ² + ε), then γ
   * and β; evaluation uses running statistics that training moves by `momentum` (the old value's
   * weight: PyTorch's momentum 0.1 is 0.9 here).
   */
  'batch-norm': layerKind({
    schema: z.strictObject({
      type: layerType('batch-norm'),
      momentum: z.number().min(0).max(1).default(0.9),
      epsilon: z.number().positive().max(1).default(1e-5),
    }),
    outputShape: (_, input) => input,
    params: (_, input) => [
      { name: 'gamma', shape: [sizeOf(input)], init: constant(1) },
      { name: 'beta', shape: [sizeOf(input)], init: constant(0) },
    ],
    buffers: (_, input) => [
      { name: 'running_mean', shape: [sizeOf(input)], init: 0 },
      { name: 'running_var', shape: [sizeOf(input)], init: 1 },
    ],
    build: (config, { input, params, buffers, maxRows, context, mode, index }) => {
      const [mean, variance] = buffers;
      const running = {
        get mean() {
          return mean.value;
        },
        get variance() {
          return variance.value;
        },
      };
      const options = { momentum: config.momentum, epsilon: config.epsilon };
      return new BatchNorm(sizeOf(input), params[0], params[1], running, options, maxRows, context, mode, index);
    },
  }),
  /**
   * A 2-D convolution of [channels, height, width] images: `filters` output channels, each a
   * kernel [channels, kh, kw] plus a bias (PyTorch's Conv2d weight layout); sizes are a number or [h, w].
   */
  conv2d: layerKind({
    schema: z.strictObject({
      type: layerType('conv2d'),
      filters: z.int().min(1).max(MAX_UNITS),
      kernel: sizePair(1),
      stride: sizePair(1).default(1),
      padding: sizePair(0).default(0),
      init: z.enum(WEIGHT_INITS).default('he'),
      std: z.number().positive().default(0.01),
    }),
    outputShape: (config, input) => {
      const g = windowOn('conv2d', input, config.kernel, config.stride, config.padding);
      return [config.filters, g.outH, g.outW];
    },
    params: (config, input) => {
      const { channels, kernelH, kernelW } = windowOn('conv2d', input, config.kernel, config.stride, config.padding);
      const area = kernelH * kernelW;
      const init = weightInit(config.init, channels * area, config.filters * area, config.std);
      return [
        { name: 'weight', shape: [config.filters, channels, kernelH, kernelW], init },
        { name: 'bias', shape: [config.filters], init: constant(0) },
      ];
    },
    build: (config, { input, params, maxRows, context, inputGradient }) => {
      const g = windowOn('conv2d', input, config.kernel, config.stride, config.padding);
      return new Conv2d(g, config.filters, params[0], params[1], maxRows, context, inputGradient);
    },
  }),
  /** The largest value of each `size` window per channel, windows `stride` apart (default: `size`). */
  maxpool: poolKind('maxpool', (g, { maxRows, context }) => new MaxPool(g, maxRows, context)),
  /** The mean of each `size` window per channel, windows `stride` apart (default: `size`). */
  avgpool: poolKind('avgpool', (g, { maxRows, context }) => new AvgPool(g, maxRows, context)),
  /** [channels, height, width] images as flat rows of features (no data moves). */
  flatten: layerKind({
    schema: z.strictObject({ type: layerType('flatten') }),
    outputShape: (_, input) => [sizeOf(input)],
    params: () => [],
    build: () => new Flatten(),
  }),
};

export type LayerType = keyof typeof layerKinds;

/** A parsed layer config (aliases already rewritten to the type they stand for). */
export type LayerConfig = { [T in LayerType]: z.output<(typeof layerKinds)[T]['schema']> }[LayerType];

// The compiler checks that each entry's `type` is its own key, so a lookup by `config.type` finds the entry
// whose callbacks take that config.
layerKinds satisfies { [T in LayerType]: LayerKind<z.ZodType<{ type: T }>> };

/**
 * The entry of a parsed layer config. TypeScript cannot follow that `layerKinds[config.type]` takes
 * this very config (it accepts the return through method-parameter bivariance); the check above is
 * what makes it so.
 */
export function kindOf(config: LayerConfig): LayerKind<z.ZodType<LayerConfig>> {
  return layerKinds[config.type];
}
