import type { ModelConfig } from '../config/model-schema.ts';
import type { ForwardMode, Layer, LayerContext, Param, TrainingPass } from '../layers/layer.ts';
import { MeanSquaredError, SoftmaxCrossEntropy, type Loss, type Targets } from '../layers/losses.ts';
import { kindOf, type BufferView } from '../layers/registry.ts';
import type { Tensor } from '../tensor.ts';
import { initBuffers } from './init.ts';
import type { ModelPlan } from './plan.ts';

const LOSSES: Record<ModelConfig['loss'], new (capacity: number, context: LayerContext) => Loss> = {
  'softmax-cross-entropy': SoftmaxCrossEntropy,
  mse: MeanSquaredError,
};

/**
 * A chain of layers plus its loss, built over a flat parameter vector and a flat gradient vector
 * laid out by `planModel`. Buffers come from `context.alloc`, sized for `maxRows`, once: a
 * counting allocator measures a model's scratch needs by simply building it.
 */
export class ChainModel {
  readonly layers: readonly Layer[];
  readonly loss: Loss;
  readonly params: readonly Param[];
  /** Batch norm's running statistics (views of one flat vector in the plan's buffer layout). */
  readonly buffers: readonly BufferView[];
  /** Shared with the layers that behave differently in training (dropout, batch norm); set by every forward. */
  private readonly mode: ForwardMode = { pass: null };

  constructor(
    readonly plan: ModelPlan,
    values: Float32Array,
    grads: Float32Array,
    readonly maxRows: number,
    context: LayerContext,
    /** The flat buffer vector (plan.bufferCount); default: a fresh one at the buffers' starting values. */
    buffers?: Float32Array,
  ) {
    const params = plan.params.map((p): Param => ({
      name: p.name,
      shape: p.shape,
      value: values.subarray(p.offset, p.offset + p.size),
      grad: grads.subarray(p.offset, p.offset + p.size),
    }));
    const ofLayer = (index: number) => params.filter((_, i) => plan.params[i].layer === index);
    let flat = buffers;
    if (!flat) initBuffers(plan, (flat = context.alloc.floats(plan.bufferCount)));
    this.buffers = this.buffersOf(flat).map((value, i) => ({ name: plan.buffers[i].name, value }));
    const buffersOfLayer = (index: number) => this.buffers.filter((_, i) => plan.buffers[i].layer === index);
    this.layers = plan.config.layers.map((config, index) =>
      kindOf(config).build(config, {
        input: index === 0 ? plan.inputShape : plan.shapes[index - 1],
        params: ofLayer(index),
        maxRows,
        context,
        inputGradient: index > 0,
        index,
        mode: this.mode,
        buffers: buffersOfLayer(index),
      }),
    );
    this.loss = new LOSSES[plan.config.loss](maxRows * plan.outputs, context);
    this.params = params;
  }

  /**
   * Runs the layers; returns the output (logits for softmax-cross-entropy). With a training pass
   * (the trainer's chunks) dropout drops and batch norm uses the batch; without one (evaluation,
   * prediction) dropout is the identity and batch norm uses its running statistics.
   */
  forward(x: Tensor, pass?: TrainingPass): Tensor {
    if (pass && pass.first + x.shape[0] > pass.samples.length) {
      throw new Error(`forward: ${x.shape[0]} rows from row ${pass.first} of ${pass.samples.length} sample indices`);
    }
    this.mode.pass = pass ?? null;
    let value = x;
    for (const layer of this.layers) value = layer.forward(value);
    return value;
  }

  /**
   * Forward through layers and loss; returns the loss SUM over the rows of `x`. Class weights
   * (`pass.classWeights`) shape the training objective only: an evaluation loss is unweighted.
   */
  forwardLoss(x: Tensor, targets: Targets, pass?: TrainingPass): { output: Tensor; lossSum: number } {
    const output = this.forward(x, pass);
    return { output, lossSum: this.loss.forward(output, targets, pass?.classWeights) };
  }

  /**
   * Runs layers [0, end) and returns the input of layer `end`: the trainer's statistics phases
   * need a batch-norm layer's input before its statistics are known.
   */
  forwardTo(x: Tensor, end: number, pass: TrainingPass): Tensor {
    this.mode.pass = pass;
    let value = x;
    for (let i = 0; i < end; i++) value = this.layers[i].forward(value);
    return value;
  }

  /** Backpropagates the last `forwardLoss` through the layers after `end`: the gradient at layer `end`'s output. */
  backwardTo(end: number): Tensor {
    let dout = this.loss.backward();
    for (let i = this.layers.length - 1; i > end; i--) dout = this.layers[i].backward(dout)[0];
    return dout;
  }

  /** Backpropagates the last `forwardLoss`, writing every parameter's gradient of the loss sum. */
  backward(): void {
    let dout = this.loss.backward();
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const grads = this.layers[i].backward(dout);
      if (i > 0) dout = grads[0];
    }
  }

  /** Views of each parameter's place in another flat vector (a gradient slot, a parameter buffer); make once. */
  viewsOf(flat: Float32Array): Float32Array[] {
    return this.plan.params.map((p) => flat.subarray(p.offset, p.offset + p.size));
  }

  /** Points every parameter's value at views from `viewsOf` a parameter buffer. */
  bindValues(views: readonly Float32Array[]): void {
    this.params.forEach((p, i) => {
      (p as Param).value = views[i];
    });
  }

  /** Views of each buffer's place in a flat buffer vector (the trainer's two copies); make once. */
  buffersOf(flat: Float32Array): Float32Array[] {
    return this.plan.buffers.map((b) => flat.subarray(b.offset, b.offset + b.size));
  }

  /** Points every buffer at views from `buffersOf`: evaluation then reads that copy of the running statistics. */
  bindBuffers(views: readonly Float32Array[]): void {
    this.buffers.forEach((b, i) => {
      (b as BufferView).value = views[i];
    });
  }

  /** Points every parameter's gradient at views from `viewsOf` a slot: no allocation per step. */
  bindGradients(views: readonly Float32Array[]): void {
    this.params.forEach((p, i) => {
      (p as Param).grad = views[i];
    });
  }
}
