import type { Kernels } from '../kernels/types.ts';
import { imageSize, positions, type WindowGeometry } from '../kernels/window.ts';
import { sizeOf, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext } from './layer.ts';

/** What both pooling layers share: the geometry, the input check, the output and dx buffers. */
abstract class Pool implements Layer {
  readonly params = [];
  protected x?: Tensor;
  protected readonly kernels: Kernels;
  protected readonly out: Float32Array;
  protected readonly dx: Float32Array;

  constructor(
    readonly geometry: WindowGeometry,
    maxRows: number,
    { kernels, alloc }: LayerContext,
  ) {
    this.kernels = kernels;
    this.out = alloc.floats(maxRows * geometry.channels * positions(geometry));
    this.dx = alloc.floats(maxRows * imageSize(geometry));
  }

  protected input(x: Tensor): { rows: number; y: Tensor } {
    const g = this.geometry;
    if (sizeOf(x.shape.slice(1)) !== imageSize(g)) {
      throw new Error(
        `${this.constructor.name}: expected images of ${g.channels}×${g.height}×${g.width}, got [${x.shape}]`,
      );
    }
    this.x = x;
    const rows = x.shape[0];
    return { rows, y: viewOf(this.out, [rows, g.channels, g.outH, g.outW]) };
  }

  abstract forward(x: Tensor): Tensor;
  abstract backward(dout: Tensor): Tensor[];
}

/**
 * The largest value of each window, per channel. Forward keeps where each maximum came from
 * (the first of equal values in row-major order); backward sends each gradient there alone.
 */
export class MaxPool extends Pool {
  private readonly argmax: Uint32Array;

  constructor(geometry: WindowGeometry, maxRows: number, context: LayerContext) {
    super(geometry, maxRows, context);
    const count = maxRows * geometry.channels * positions(geometry);
    // Indices sit in a float buffer of the allocator (the arena in training), viewed as u32.
    const buffer = context.alloc.floats(count);
    this.argmax = new Uint32Array(buffer.buffer, buffer.byteOffset, count);
  }

  forward(x: Tensor): Tensor {
    const { rows, y } = this.input(x);
    this.kernels.maxPool(x.data, y.data, this.argmax, rows, this.geometry);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'MaxPool');
    const dx = viewOf(this.dx, x.shape);
    this.kernels.maxPoolBackward(dout.data, this.argmax, dx.data, x.shape[0], this.geometry);
    return [dx];
  }

  /** Which element each output took (its index's bytes): the pieces of this piecewise-linear layer. */
  region(): Uint8Array {
    const x = cached(this.x, 'MaxPool');
    const g = this.geometry;
    const count = x.shape[0] * g.channels * positions(g);
    return new Uint8Array(this.argmax.buffer, this.argmax.byteOffset, count * 4).slice();
  }
}

/** The mean of each window, per channel; backward spreads each gradient evenly over its window. */
export class AvgPool extends Pool {
  forward(x: Tensor): Tensor {
    const { rows, y } = this.input(x);
    this.kernels.avgPool(x.data, y.data, rows, this.geometry);
    return y;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'AvgPool');
    const dx = viewOf(this.dx, x.shape);
    this.kernels.avgPoolBackward(dout.data, dx.data, x.shape[0], this.geometry);
    return [dx];
  }
}

/**
 * [channels, height, width] images as flat rows: the data does not move (rows are stored
 * channel-major already), only the shape a tensor reports changes.
 */
export class Flatten implements Layer {
  readonly params = [];
  private inputShape?: readonly number[];

  forward(x: Tensor): Tensor {
    this.inputShape = x.shape;
    return { shape: [x.shape[0], sizeOf(x.shape.slice(1))], data: x.data };
  }

  backward(dout: Tensor): Tensor[] {
    return [{ shape: cached(this.inputShape, 'Flatten'), data: dout.data }];
  }
}
