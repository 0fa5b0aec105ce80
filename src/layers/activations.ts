import type { Kernels } from '../kernels/types.ts';
import { viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext } from './layer.ts';

/**
 * Elementwise activations. Each caches exactly what its derivative needs: ReLU its INPUT (the
 * mask x > 0), Sigmoid and Tanh their OUTPUT y (f' is a function of y). Backward applies
 * dout · f' into its own buffer and never touches dout.
 */
export abstract class Activation implements Layer {
  readonly params = [];
  protected saved?: Tensor;
  protected readonly kernels: Kernels;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(
    capacity: number,
    { kernels, alloc }: LayerContext,
    private readonly savesInput: boolean,
  ) {
    this.kernels = kernels;
    this.out = alloc.floats(capacity);
    this.dx = alloc.floats(capacity);
  }

  protected abstract apply(x: Float32Array, y: Float32Array, len: number): void;
  /** dx from the saved tensor (x or y, see savesInput) and dout. */
  protected abstract derive(saved: Float32Array, dout: Float32Array, dx: Float32Array, len: number): void;

  forward(x: Tensor): Tensor {
    const y = viewOf(this.out, x.shape);
    this.apply(x.data, y.data, y.data.length);
    this.saved = this.savesInput ? x : y;
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const saved = cached(this.saved, this.constructor.name);
    const dx = viewOf(this.dx, saved.shape);
    this.derive(saved.data, dout.data, dx.data, dx.data.length);
    return [dx];
  }
}

/** y = max(0, x); dx = dout where x > 0. The derivative at x = 0 is taken as 0. */
export class ReLU extends Activation {
  constructor(capacity: number, context: LayerContext) {
    super(capacity, context, true);
  }
  /** The sign of each input of the last forward (1 where x > 0): the kink is at 0. */
  region(): Uint8Array {
    if (!this.saved) throw new Error('ReLU.region called before forward');
    return Uint8Array.from(this.saved.data, (x) => (x > 0 ? 1 : 0));
  }
  protected apply(x: Float32Array, y: Float32Array, len: number) {
    this.kernels.reluForward(x, y, len);
  }
  protected derive(x: Float32Array, dout: Float32Array, dx: Float32Array, len: number) {
    this.kernels.reluBackward(x, dout, dx, len);
  }
}

/** y = 1 / (1 + e^−x); dx = dout · y · (1 − y). */
export class Sigmoid extends Activation {
  constructor(capacity: number, context: LayerContext) {
    super(capacity, context, false);
  }
  protected apply(x: Float32Array, y: Float32Array, len: number) {
    this.kernels.sigmoidForward(x, y, len);
  }
  protected derive(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number) {
    this.kernels.sigmoidBackward(y, dout, dx, len);
  }
}

/** y = tanh(x); dx = dout · (1 − y²). */
export class Tanh extends Activation {
  constructor(capacity: number, context: LayerContext) {
    super(capacity, context, false);
  }
  protected apply(x: Float32Array, y: Float32Array, len: number) {
    this.kernels.tanhForward(x, y, len);
  }
  protected derive(y: Float32Array, dout: Float32Array, dx: Float32Array, len: number) {
    this.kernels.tanhBackward(y, dout, dx, len);
  }
}

/**
 * y = x for x > 0, α·x otherwise; dx = dout where x > 0, α·dout otherwise (at x = 0 the slope is
 * α, as PyTorch takes it). Piecewise like ReLU, so it reports the same region.
 */
export class LeakyReLU extends Activation {
  constructor(
    capacity: number,
    context: LayerContext,
    readonly alpha: number,
  ) {
    super(capacity, context, true);
  }
  region(): Uint8Array {
    if (!this.saved) throw new Error('LeakyReLU.region called before forward');
    return Uint8Array.from(this.saved.data, (x) => (x > 0 ? 1 : 0));
  }
  protected apply(x: Float32Array, y: Float32Array, len: number) {
    const alpha = this.alpha;
    for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
  }
  protected derive(x: Float32Array, dout: Float32Array, dx: Float32Array, len: number) {
    const alpha = this.alpha;
    for (let i = 0; i < len; i++) dx[i] = x[i] > 0 ? dout[i] : alpha * dout[i];
  }
}
