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
 * needs d loss / d pixels). The products run a group of samples at a time (GROUP_FLOATS).
 */
/**
 * Floats of col and product one group of samples may take (256 KiB): the products run a group at
 * a time so that their operands stay in L2. A whole chunk's col and product (~3 MB for 50 MNIST
 * rows) streamed from memory ran the products several times slower than a cache-resident GEMM.
 */
const GROUP_FLOATS = 65536;

/** Samples per group for this geometry: as many as fit in `groupFloats` of col and product, 1 to maxRows. */
export function groupRowsFor(g: WindowGeometry, filters: number, maxRows: number, groupFloats = GROUP_FLOATS): number {
  return Math.max(1, Math.min(maxRows, Math.floor(groupFloats / ((patchSize(g) + filters) * positions(g)))));
}

// Views at a group's offset, made once per (buffer, offset): a step asks for the same few again and
// again, and a view made per call would be garbage per step (as tensor.ts's prefix views).
const offsetViews = new WeakMap<Float32Array, Map<number, Float32Array>>();

/** `buffer` from element `offset` on, as a view made once. */
function from(buffer: Float32Array, offset: number): Float32Array {
  if (offset === 0) return buffer;
  let byOffset = offsetViews.get(buffer);
  if (!byOffset) offsetViews.set(buffer, (byOffset = new Map()));
  let view = byOffset.get(offset);
  if (!view) byOffset.set(offset, (view = buffer.subarray(offset)));
  return view;
}

export class Conv2d implements Layer {
  readonly params: readonly Param[];
  private x?: Tensor;
  private readonly kernels: Kernels;
  /** Samples per group: the products and layout changes run group by group, in order. */
  readonly groupRows: number;
  /** im2col of the whole chunk, one [K, groupRows·P] block per group (backward needs it all). */
  private readonly col: Float32Array;
  /** One group's product in [filters, groupRows·P] layout: forward's W·col, then backward's packed dout. */
  private readonly product: Float32Array;
  private readonly out: Float32Array;
  /** One group's dW and db, added to the parameter gradients group by group. */
  private readonly groupGrad: Float32Array;
  private readonly groupBias: Float32Array;
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
    groupFloats = GROUP_FLOATS,
  ) {
    this.params = [weight, bias];
    this.kernels = kernels;
    const [p, k] = [positions(geometry), patchSize(geometry)];
    this.groupRows = groupRowsFor(geometry, filters, maxRows, groupFloats);
    this.col = alloc.floats(maxRows * p * k);
    this.product = alloc.floats(this.groupRows * p * filters);
    this.out = alloc.floats(maxRows * p * filters);
    this.groupGrad = alloc.floats(filters * k);
    this.groupBias = alloc.floats(filters);
    this.dcol = inputGradient ? alloc.floats(this.groupRows * p * k) : null;
    this.dx = inputGradient ? alloc.floats(maxRows * imageSize(geometry)) : null;
  }

  /** Calls visit(first sample, samples) for each group of a chunk of `rows`, in order. */
  private eachGroup(rows: number, visit: (first: number, count: number) => void): void {
    for (let first = 0; first < rows; first += this.groupRows) visit(first, Math.min(this.groupRows, rows - first));
  }

  forward(x: Tensor): Tensor {
    const g = this.geometry;
    const rows = x.shape[0];
    if (sizeOf(x.shape.slice(1)) !== imageSize(g)) {
      throw new Error(`Conv2d: expected images of ${g.channels}×${g.height}×${g.width}, got [${x.shape}]`);
    }
    this.x = x;
    const [p, k, f] = [positions(g), patchSize(g), this.filters];
    const y = viewOf(this.out, [rows, f, g.outH, g.outW]);
    this.eachGroup(rows, (first, count) => {
      const col = from(this.col, first * p * k);
      this.kernels.im2col(from(x.data, first * imageSize(g)), col, count, g);
      this.kernels.matmul(this.weight.value, col, this.product, f, k, count * p);
      this.kernels.unpackChannels(this.product, this.bias.value, from(y.data, first * f * p), count, f, p);
    });
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Conv2d');
    const g = this.geometry;
    const rows = x.shape[0];
    const [p, k, f] = [positions(g), patchSize(g), this.filters];
    const dx = this.dx && viewOf(this.dx, x.shape);
    const [dW, db] = [this.weight.grad, this.bias.grad];
    this.eachGroup(rows, (first, count) => {
      const col = from(this.col, first * p * k);
      const d = this.product;
      // The first group writes the gradients, later ones add theirs: a fixed order, whichever thread runs the chunk.
      const [gw, gb] = first === 0 ? [dW, db] : [this.groupGrad, this.groupBias];
      this.kernels.packChannels(from(dout.data, first * f * p), d, gb, count, f, p);
      this.kernels.matmulBT(d, col, gw, f, count * p, k);
      if (first > 0) {
        for (let i = 0; i < f * k; i++) dW[i] += gw[i];
        for (let i = 0; i < f; i++) db[i] += gb[i];
      }
      if (dx && this.dcol) {
        this.kernels.matmulAT(this.weight.value, d, this.dcol, f, k, count * p);
        this.kernels.col2im(this.dcol, from(dx.data, first * imageSize(g)), count, g);
      }
    });
    return dx ? [dx] : [];
  }
}
