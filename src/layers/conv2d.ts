import type { Kernels } from '../kernels/types.ts';
import { imageSize, patchSize, positions, type WindowGeometry } from '../kernels/window.ts';
import { sizeOf, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext, type Param } from './layer.ts';

/**
 * A 2-D convolution by im2col, as the book's chapter 7: every window of the input becomes a row of
 * `col` ([rows·P, K] for P window positions and K = channels·kernelH·kernelW values), and then
 *   forward   y = col · Wᵀ + b            (W is [filters, K]: [filters, channels, kernelH, kernelW])
 *   backward  dW = doutᵀ · col, db = Σ dout, dcol = dout · W, dx = col2im(dcol)
 * with dout taken as [rows·P, filters]. The products are the ones the affine layer runs; the layout
 * changes between [rows·P, filters] and the channel-major images around it are kernels too. The
 * first layer of a net skips dcol and col2im (nobody needs d loss / d pixels).
 */
export class Conv2d implements Layer {
  readonly params: readonly Param[];
  private x?: Tensor;
  private readonly kernels: Kernels;
  private readonly col: Float32Array;
  /** The product in [rows·P, filters] layout: forward's col·Wᵀ, then backward's dout in that layout. */
  private readonly product: Float32Array;
  private readonly out: Float32Array;
  private readonly dcol: Float32Array | null;
  private readonly dx: Float32Array | null;

  constructor(
    readonly geometry: WindowGeometry,
    readonly filters: number,
    readonly weight: Param,
    readonly bias: Param,
    maxRows: number,
    { kernels, alloc }: LayerContext,
    readonly inputGradient = true,
  ) {
    this.params = [weight, bias];
    this.kernels = kernels;
    const windows = maxRows * positions(geometry);
    this.col = alloc.floats(windows * patchSize(geometry));
    this.product = alloc.floats(windows * filters);
    this.out = alloc.floats(windows * filters);
    this.dcol = inputGradient ? alloc.floats(windows * patchSize(geometry)) : null;
    this.dx = inputGradient ? alloc.floats(maxRows * imageSize(geometry)) : null;
  }

  forward(x: Tensor): Tensor {
    const g = this.geometry;
    const rows = x.shape[0];
    if (sizeOf(x.shape.slice(1)) !== imageSize(g)) {
      throw new Error(`Conv2d: expected images of ${g.channels}×${g.height}×${g.width}, got [${x.shape}]`);
    }
    this.x = x;
    const windows = rows * positions(g);
    this.kernels.im2col(x.data, this.col, rows, g);
    this.kernels.matmulBT(this.col, this.weight.value, this.product, windows, patchSize(g), this.filters);
    const y = viewOf(this.out, [rows, this.filters, g.outH, g.outW]);
    this.kernels.channelsFirst(this.product, this.bias.value, y.data, rows, positions(g), this.filters);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Conv2d');
    const g = this.geometry;
    const rows = x.shape[0];
    const windows = rows * positions(g);
    const k = patchSize(g);
    const d = this.product;
    this.kernels.channelsLast(dout.data, d, rows, this.filters, positions(g));
    this.kernels.matmulAT(d, this.col, this.weight.grad, windows, this.filters, k);
    this.kernels.sumRows(d, this.bias.grad, windows, this.filters);
    if (!this.dcol || !this.dx) return [];
    this.kernels.matmul(d, this.weight.value, this.dcol, windows, this.filters, k);
    const dx = viewOf(this.dx, x.shape);
    this.kernels.col2im(this.dcol, dx.data, rows, g);
    return [dx];
  }
}
