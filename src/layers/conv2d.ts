import type { Kernels } from '../kernels/types.ts';
import { imageSize, patchSize, positions, type WindowGeometry } from '../kernels/window.ts';
import { sizeOf, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext, type Param } from './layer.ts';

/**
 * A 2-D convolution by im2col, as the book's chapter 7: the windows of the chunk's images become
 * the columns of `col` ([K, rows·P] for K = channels·kernelH·kernelW values and P window
 * positions), and then, with W as [filters, K] ([filters, channels, kernelH, kernelW]) and dout
 * packed to [filters, rows·P]:
 *   forward   y = W · col + b
 *   backward  dW = dout · colᵀ, db = Σ dout, dcol = Wᵀ · dout, dx = col2im(dcol)
 * The products are the ones the affine layer runs. This orientation (Caffe's) keeps the long
 * rows·P axis as the products' columns: each operand is streamed once, where [rows·P, K] rows
 * re-read the whole col per 8 filters. The first layer of a net skips dcol and col2im (nobody
 * needs d loss / d pixels).
 */
export class Conv2d implements Layer {
  readonly params: readonly Param[];
  private x?: Tensor;
  private readonly kernels: Kernels;
  private readonly col: Float32Array;
  /** The product in [filters, rows·P] layout: forward's W·col, then backward's packed dout. */
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
    this.kernels.matmul(this.weight.value, this.col, this.product, this.filters, patchSize(g), windows);
    const y = viewOf(this.out, [rows, this.filters, g.outH, g.outW]);
    this.kernels.unpackChannels(this.product, this.bias.value, y.data, rows, this.filters, positions(g));
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Conv2d');
    const g = this.geometry;
    const rows = x.shape[0];
    const windows = rows * positions(g);
    const k = patchSize(g);
    const d = this.product;
    this.kernels.packChannels(dout.data, d, this.bias.grad, rows, this.filters, positions(g));
    this.kernels.matmulBT(d, this.col, this.weight.grad, this.filters, windows, k);
    if (!this.dcol || !this.dx) return [];
    this.kernels.matmulAT(this.weight.value, d, this.dcol, this.filters, k, windows);
    const dx = viewOf(this.dx, x.shape);
    this.kernels.col2im(this.dcol, dx.data, rows, g);
    return [dx];
  }
}
