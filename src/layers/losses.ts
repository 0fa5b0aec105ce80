import type { Kernels } from '../kernels/types.ts';
import { assertSameShape, viewOf, type Tensor } from '../tensor.ts';
import { cached, type LayerContext } from './layer.ts';

/**
 * Targets are either class indices (one float per row, exact below 2^24) or a dense tensor of the
 * output's shape (one-hot rows, or any distribution summing to 1 for cross-entropy).
 */
export type Targets = Float32Array | Tensor;

/**
 * A loss returns the SUM over rows, never the mean: a batch split into chunks across workers is
 * divided once, by the global sample count, after the chunks are reduced. `backward()` gives the
 * gradient of that sum with respect to the output.
 */
export interface Loss {
  /**
   * `classWeights` (one per class): each row's loss and gradient are multiplied by its class's
   * weight, and the sum is still divided by the sample count (Keras's `class_weight`, not PyTorch's
   * weighted mean, which divides by Σ weights). Softmax-cross-entropy only.
   */
  forward(output: Tensor, targets: Targets, classWeights?: Float32Array): number;
  backward(): Tensor;
}

function isClassIndices(targets: Targets): targets is Float32Array {
  return targets instanceof Float32Array;
}

/**
 * Softmax followed by cross-entropy, fused: loss = Σ_rows Σ_j t_j·(logsumexp(x) − x_j), stable for
 * logits of ±1000. The gradient of the sum is softmax(x) − t per row (for rows of t summing to 1;
 * in general (Σ_j t_j)·softmax(x) − t). Both kinds of target run on the kernels.
 */
export class SoftmaxCrossEntropy implements Loss {
  private shape?: readonly number[];
  private readonly kernels: Kernels;
  private readonly dlogits: Float32Array;

  constructor(capacity: number, { kernels, alloc }: LayerContext) {
    this.kernels = kernels;
    this.dlogits = alloc.floats(capacity);
  }

  forward(logits: Tensor, targets: Targets, classWeights?: Float32Array): number {
    const [rows, classes] = logits.shape;
    this.shape = logits.shape;
    const dx = viewOf(this.dlogits, logits.shape).data;
    if (classWeights && classWeights.length !== classes) {
      throw new Error(`SoftmaxCrossEntropy: ${classes} classes but ${classWeights.length} class weights`);
    }
    if (isClassIndices(targets)) {
      if (targets.length < rows) throw new Error(`SoftmaxCrossEntropy: ${rows} rows but ${targets.length} targets`);
      return classWeights
        ? this.kernels.softmaxCrossEntropyWeighted(logits.data, targets, classWeights, dx, rows, classes)
        : this.kernels.softmaxCrossEntropy(logits.data, targets, dx, rows, classes);
    }
    assertSameShape(logits, targets, 'SoftmaxCrossEntropy');
    return classWeights
      ? this.kernels.softmaxCrossEntropyDenseWeighted(logits.data, targets.data, classWeights, dx, rows, classes)
      : this.kernels.softmaxCrossEntropyDense(logits.data, targets.data, dx, rows, classes);
  }

  backward(): Tensor {
    return viewOf(this.dlogits, cached(this.shape, 'SoftmaxCrossEntropy'));
  }
}

/**
 * Squared error, ½‖y − t‖² per row (the ½ makes the gradient y − t), summed over rows. Class-index
 * targets mean one-hot rows.
 */
export class MeanSquaredError implements Loss {
  private shape?: readonly number[];
  private readonly dy: Float32Array;

  constructor(capacity: number, { alloc }: LayerContext) {
    this.dy = alloc.floats(capacity);
  }

  forward(output: Tensor, targets: Targets, classWeights?: Float32Array): number {
    if (classWeights) throw new Error('MeanSquaredError: class weights apply to softmax-cross-entropy only');
    const [rows, width] = output.shape;
    this.shape = output.shape;
    const dy = viewOf(this.dy, output.shape).data;
    if (!isClassIndices(targets)) assertSameShape(output, targets, 'MeanSquaredError');
    else if (targets.length < rows) throw new Error(`MeanSquaredError: ${rows} rows but ${targets.length} targets`);
    let lossSum = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) {
        const at = i * width + j;
        const t = isClassIndices(targets) ? (targets[i] === j ? 1 : 0) : targets.data[at];
        const diff = output.data[at] - t;
        dy[at] = diff;
        lossSum += 0.5 * diff * diff;
      }
    }
    return lossSum;
  }

  backward(): Tensor {
    return viewOf(this.dy, cached(this.shape, 'MeanSquaredError'));
  }
}
