import type { Kernels } from '../kernels/types.ts';
import { sizeOf, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext, type Param } from './layer.ts';

/**
 * y = x · W + b for x of shape [rows, inputs], W [inputs, units], b [units].
 * Backward: dW = xᵀ · dout, db = Σ_rows dout, dx = dout · Wᵀ. The first layer of a net skips dx
 * (`inputGradient: false`): nobody needs d loss / d pixels, and it is a third of the work.
 */
export class Affine implements Layer {
  readonly params: readonly Param[];
  private x?: Tensor;
  private readonly kernels: Kernels;
  private readonly out: Float32Array;
  private readonly dx: Float32Array | null;

  constructor(
    readonly inputs: number,
    readonly units: number,
    readonly weight: Param,
    readonly bias: Param,
    maxRows: number,
    { kernels, alloc }: LayerContext,
    readonly inputGradient = true,
  ) {
    this.params = [weight, bias];
    this.kernels = kernels;
    this.out = alloc.floats(maxRows * units);
    this.dx = inputGradient ? alloc.floats(maxRows * inputs) : null;
  }

  forward(x: Tensor): Tensor {
    const rows = x.shape[0];
    // Images ([rows, channels, height, width]) are taken as flat rows, as they are stored.
    if (sizeOf(x.shape.slice(1)) !== this.inputs) {
      throw new Error(`Affine: expected ${this.inputs} inputs per row, got [${x.shape}]`);
    }
    this.x = x;
    const y = viewOf(this.out, [rows, this.units]);
    this.kernels.matmul(x.data, this.weight.value, y.data, rows, this.inputs, this.units);
    this.kernels.addRow(y.data, this.bias.value, rows, this.units);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Affine');
    const rows = x.shape[0];
    this.kernels.matmulAT(x.data, dout.data, this.weight.grad, rows, this.inputs, this.units);
    this.kernels.sumRows(dout.data, this.bias.grad, rows, this.units);
    if (!this.dx) return [];
    const dx = viewOf(this.dx, x.shape);
    this.kernels.matmulBT(dout.data, this.weight.value, dx.data, rows, this.units, this.inputs);
    return [dx];
  }
}
