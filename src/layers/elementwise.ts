import { assertSameShape, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext } from './layer.ts';

/**
 * The classic backpropagation nodes of the computational graph, on tensors of one shape.
 * `capacity` is the largest number of elements a call may carry; buffers are allocated once.
 */

/** z = x · y elementwise. Caches both inputs: dx = dout · y, dy = dout · x. */
export class Mul implements Layer {
  readonly params = [];
  private x?: Tensor;
  private y?: Tensor;
  private readonly out: Float32Array;
  private readonly dx: Float32Array;
  private readonly dy: Float32Array;

  constructor(capacity: number, { alloc }: LayerContext) {
    this.out = alloc.floats(capacity);
    this.dx = alloc.floats(capacity);
    this.dy = alloc.floats(capacity);
  }

  forward(x: Tensor, y: Tensor): Tensor {
    assertSameShape(x, y, 'Mul');
    this.x = x;
    this.y = y;
    const out = viewOf(this.out, x.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[i] * y.data[i];
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, 'Mul');
    const y = cached(this.y, 'Mul');
    const dx = viewOf(this.dx, x.shape);
    const dy = viewOf(this.dy, y.shape);
    for (let i = 0; i < dx.data.length; i++) {
      dx.data[i] = dout.data[i] * y.data[i];
      dy.data[i] = dout.data[i] * x.data[i];
    }
    return [dx, dy];
  }
}

/** z = x + y elementwise: dx = dy = dout (copied, so callers may accumulate into them). */
export class Add implements Layer {
  readonly params = [];
  private shape?: readonly number[];
  private readonly out: Float32Array;
  private readonly dx: Float32Array;
  private readonly dy: Float32Array;

  constructor(capacity: number, { alloc }: LayerContext) {
    this.out = alloc.floats(capacity);
    this.dx = alloc.floats(capacity);
    this.dy = alloc.floats(capacity);
  }

  forward(x: Tensor, y: Tensor): Tensor {
    assertSameShape(x, y, 'Add');
    this.shape = x.shape;
    const out = viewOf(this.out, x.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[i] + y.data[i];
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const shape = cached(this.shape, 'Add');
    const dx = viewOf(this.dx, shape);
    const dy = viewOf(this.dy, shape);
    dx.data.set(dout.data.subarray(0, dx.data.length));
    dy.data.set(dout.data.subarray(0, dy.data.length));
    return [dx, dy];
  }
}
