import { assertSameShape, viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext } from './layer.ts';

/**
 * The classic backpropagation nodes of the computational graph, on two tensors of one shape.
 * `capacity` is the largest number of elements a call may carry; buffers are allocated once.
 * Both cache their inputs (Add needs only their shape); backward fills dx and dy from them.
 */
abstract class BinaryElementwise implements Layer {
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

  protected abstract apply(x: Float32Array, y: Float32Array, z: Float32Array): void;
  protected abstract derive(
    x: Float32Array,
    y: Float32Array,
    dout: Float32Array,
    dx: Float32Array,
    dy: Float32Array,
  ): void;

  forward(x: Tensor, y: Tensor): Tensor {
    assertSameShape(x, y, this.constructor.name);
    this.x = x;
    this.y = y;
    const z = viewOf(this.out, x.shape);
    this.apply(x.data, y.data, z.data);
    return z;
  }

  backward(dout: Tensor): Tensor[] {
    const x = cached(this.x, this.constructor.name);
    const y = cached(this.y, this.constructor.name);
    const dx = viewOf(this.dx, x.shape);
    const dy = viewOf(this.dy, y.shape);
    this.derive(x.data, y.data, dout.data, dx.data, dy.data);
    return [dx, dy];
  }
}

/** z = x · y elementwise: dx = dout · y, dy = dout · x. */
export class Mul extends BinaryElementwise {
  protected apply(x: Float32Array, y: Float32Array, z: Float32Array) {
    for (let i = 0; i < z.length; i++) z[i] = x[i] * y[i];
  }
  protected derive(x: Float32Array, y: Float32Array, dout: Float32Array, dx: Float32Array, dy: Float32Array) {
    for (let i = 0; i < dx.length; i++) {
      dx[i] = dout[i] * y[i];
      dy[i] = dout[i] * x[i];
    }
  }
}

/** z = x + y elementwise: dx = dy = dout (copied, so callers may accumulate into them). */
export class Add extends BinaryElementwise {
  protected apply(x: Float32Array, y: Float32Array, z: Float32Array) {
    for (let i = 0; i < z.length; i++) z[i] = x[i] + y[i];
  }
  protected derive(_x: Float32Array, _y: Float32Array, dout: Float32Array, dx: Float32Array, dy: Float32Array) {
    dx.set(dout.subarray(0, dx.length));
    dy.set(dout.subarray(0, dy.length));
  }
}
