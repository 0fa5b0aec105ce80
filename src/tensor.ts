/**
 * A tensor is a shape plus a Float32Array view. The view may sit on any ArrayBuffer or on the run's
 * shared arena: nothing here allocates behind the caller's back.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Wraps `data` (or a fresh zeroed array) as a tensor of `shape`; the sizes must agree. */
export function tensor(shape: readonly number[], data?: Float32Array | readonly number[]): Tensor {
  const size = sizeOf(shape);
  const values = data instanceof Float32Array ? data : data ? Float32Array.from(data) : new Float32Array(size);
  if (values.length !== size) throw new Error(`tensor: shape [${shape}] needs ${size} values, got ${values.length}`);
  return { shape: [...shape], data: values };
}

/** Where layers get their buffers: the heap for standalone use, a bump region of the arena in training. */
export interface Allocator {
  floats(count: number): Float32Array;
}

export const heapAllocator: Allocator = { floats: (count) => new Float32Array(count) };

/** A view of the first sizeOf(shape) elements of a preallocated buffer, with that shape. */
export function viewOf(buffer: Float32Array, shape: readonly number[]): Tensor {
  const size = sizeOf(shape);
  if (size > buffer.length) throw new Error(`viewOf: [${shape}] exceeds the ${buffer.length} preallocated values`);
  return { shape, data: size === buffer.length ? buffer : buffer.subarray(0, size) };
}

export function assertSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((dim, i) => dim !== b.shape[i])) {
    throw new Error(`${what}: shapes [${a.shape}] and [${b.shape}] differ`);
  }
}
