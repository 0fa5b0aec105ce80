import type { Kernels } from '../kernels/types.ts';
import { viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext } from './layer.ts';

/** y = max(0, x). Caches the input; the derivative at x = 0 is taken as 0. */
export class ReLU implements Layer {
  readonly params = [];
  private x?: Tensor;
  private readonly kernels: Kernels;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(capacity: number, { kernels, alloc }: LayerContext) {
    this.kernels = kernels;
    this.out = alloc.floats(capacity);
    this.dx = alloc.floats(capacity);
  }

  forward(x: Tensor): Tensor {
    this.x = x;
    const y = viewOf(this.out, x.shape);
    this.kernels.reluForward(x.data, y.data, y.data.length);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'ReLU');
    const dx = viewOf(this.dx, x.shape);
    this.kernels.reluBackward(x.data, dout.data, dx.data, dx.data.length);
    return [dx];
  }
}

/**
 * Sigmoid and Tanh share a shape: forward keeps its OUTPUT y (the derivative is a function of y),
 * backward applies dout · f'(y).
 */
abstract class OutputCachingActivation implements Layer {
  readonly params = [];
  private y?: Tensor;
  protected readonly kernels: Kernels;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(capacity: number, { kernels, alloc }: LayerContext) {
    this.kernels = kernels;
    this.out = alloc.floats(capacity);
    this.dx = alloc.floats(capacity);
  }

  protected abstract apply(x: Float32Array, y: Float32Array, len: number): void;
  protected abstract derive(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number): void;

  forward(x: Tensor): Tensor {
    const y = viewOf(this.out, x.shape);
    this.apply(x.data, y.data, y.data.length);
    this.y = y;
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const y = cached(this.y, this.constructor.name);
    const dx = viewOf(this.dx, y.shape);
    this.derive(y.data, dout.data, dx.data, dx.data.length);
    return [dx];
  }
}

/** y = 1 / (1 + e^−x); dx = dout · y · (1 − y). */
export class Sigmoid extends OutputCachingActivation {
  protected apply(x: Float32Array, y: Float32Array, len: number) { this.kernels.sigmoidForward(x, y, len); }
  protected derive(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number) { this.kernels.sigmoidBackward(y, dout, dx, len); }
}

/** y = tanh(x); dx = dout · (1 − y²). */
export class Tanh extends OutputCachingActivation {
  protected apply(x: Float32Array, y: Float32Array, len: number) { this.kernels.tanhForward(x, y, len); }
  protected derive(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number) { this.kernels.tanhBackward(y, dout, dx, len); }
}
