import type { Kernels } from '../kernels/types.ts';
import type { Allocator, Tensor } from '../tensor.ts';

/**
 * A learnable tensor: its value and the gradient backward writes. Both are plain views, so a
 * trainer can point `grad` at a different per-chunk slot between steps without rebuilding layers.
 */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  value: Float32Array;
  grad: Float32Array;
}

/**
 * The contract of every layer: `forward` caches exactly what `backward` needs and writes its output
 * into a preallocated buffer; `backward(dout)` returns the gradient of each input, in input order,
 * never mutates `dout`, and OVERWRITES its parameters' `grad`. A layer told to skip its input
 * gradient (the first layer of a net) returns an empty array.
 */
export interface Layer {
  readonly params: readonly Param[];
  forward(...inputs: Tensor[]): Tensor;
  backward(dout: Tensor): Tensor[];
  /**
   * Piecewise layers only (ReLU): which piece each input element of the last `forward` fell in. The
   * gradient check keeps its numerical steps inside one piece; the step across a kink is no derivative.
   */
  region?(): Uint8Array;
}

/**
 * What a TRAINING forward knows beyond its input; a forward without one is an evaluation or a
 * prediction (dropout off, batch norm on its running statistics, no class weights). The trainer
 * passes one per chunk: what it holds identifies each row globally, so a layer that draws random
 * numbers (dropout) draws the same ones whichever thread or chunk computes the row.
 */
export interface TrainingPass {
  /** The run's seed. */
  readonly seed: number;
  /** The global step, 0-based and counted across epochs. */
  readonly step: number;
  /** Row i of the forward's input is dataset sample `samples[first + i]` (the epoch's order, the chunk's first row). */
  readonly samples: Uint32Array;
  readonly first: number;
  /** Softmax-cross-entropy only: each class's weight in the loss (see losses.ts), or none. */
  readonly classWeights?: Float32Array;
  /**
   * The whole batch's statistics when the forward runs on one CHUNK of it (the trainer); without
   * them batch norm takes the statistics of the rows it is given (one chunk = the whole batch).
   */
  readonly batchStatistics?: BatchStatistics;
}

/**
 * Batch norm's view of the whole batch while it sees one chunk: statistics the trainer reduced in
 * chunk order from every chunk's partial sums (src/train/batch-norm-stages.ts), the same bits for
 * every chunk and thread.
 */
export interface BatchStatistics {
  /** Rows of the whole batch. */
  readonly count: number;
  /** The batch's mean and biased variance at the input of the batch-norm layer at chain position `layer`. */
  forward(layer: number, mean: Float64Array, variance: Float64Array): void;
  /** The batch's [Σdout | Σdout·x̂] at that layer. */
  backward(layer: number, sums: Float64Array): void;
}

/**
 * The mode of the forward being run, one object per model shared with the layers that depend on it
 * (dropout, batch norm): the model sets `pass` at the start of every forward, so a layer never sees
 * a stale mode and the Layer contract (`forward(x)`) stays as it is.
 */
export interface ForwardMode {
  pass: TrainingPass | null;
}

/** What a layer needs to preallocate: kernels to run, where buffers come from, how big they get. */
export interface LayerContext {
  readonly kernels: Kernels;
  readonly alloc: Allocator;
}

export function param(name: string, shape: readonly number[], alloc: Allocator): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: alloc.floats(size), grad: alloc.floats(size) };
}

/** Throws a clear error when forward has not run before backward (the cache would be stale). */
export function cached<T>(value: T | undefined, layer: string): T {
  if (value === undefined) throw new Error(`${layer}.backward called before forward`);
  return value;
}
