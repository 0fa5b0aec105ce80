import type { Kernels } from '../kernels/types.ts';
import { viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext, type Param } from './layer.ts';

/**
 * The learnable forms of Mul and Add in a chain: one parameter per feature, broadcast over rows.
 * As with any broadcast, the parameter's gradient sums over the axis it was broadcast along.
 */

/** y = x ⊙ s (config type `scale`, formerly `mul`): dx = dout ⊙ s, ds = Σ_rows dout ⊙ x. */
export class Scale implements Layer {
  readonly params: readonly Param[];
  private x?: Tensor;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(
    readonly features: number,
    readonly scale: Param,
    maxRows: number,
    { alloc }: LayerContext,
  ) {
    this.params = [scale];
    this.out = alloc.floats(maxRows * features);
    this.dx = alloc.floats(maxRows * features);
  }

  forward(x: Tensor): Tensor {
    this.x = x;
    const y = viewOf(this.out, x.shape);
    const s = this.scale.value;
    const n = this.features;
    for (let i = 0; i < y.data.length; i++) y.data[i] = x.data[i] * s[i % n];
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Scale');
    const dx = viewOf(this.dx, x.shape);
    const s = this.scale.value;
    const ds = this.scale.grad;
    const n = this.features;
    ds.fill(0);
    for (let i = 0; i < dx.data.length; i++) {
      dx.data[i] = dout.data[i] * s[i % n];
      ds[i % n] += dout.data[i] * x.data[i];
    }
    return [dx];
  }
}

/** y = x + b (config type `bias`, formerly `add`): dx = dout, db = Σ_rows dout. */
export class Bias implements Layer {
  readonly params: readonly Param[];
  private shape?: readonly number[];
  private readonly kernels: Kernels;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;

  constructor(
    readonly features: number,
    readonly bias: Param,
    maxRows: number,
    { kernels, alloc }: LayerContext,
  ) {
    this.params = [bias];
    this.kernels = kernels;
    this.out = alloc.floats(maxRows * features);
    this.dx = alloc.floats(maxRows * features);
  }

  forward(x: Tensor): Tensor {
    this.shape = x.shape;
    const y = viewOf(this.out, x.shape);
    y.data.set(x.data.subarray(0, y.data.length));
    this.kernels.addRow(y.data, this.bias.value, x.shape[0], this.features);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const shape = cached(this.shape, 'Bias');
    const dx = viewOf(this.dx, shape);
    dx.data.set(dout.data.subarray(0, dx.data.length));
    this.kernels.sumRows(dout.data, this.bias.grad, shape[0], this.features);
    return [dx];
  }
}
