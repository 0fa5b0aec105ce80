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

// Typed-array views are costly to create and to collect; a training step asks for the same few
// prefix lengths of the same buffers over and over, so each is made once.
const prefixViews = new WeakMap<Float32Array, Map<number, Float32Array>>();

/** The first `size` elements of `buffer`, as a view made once per (buffer, size). */
export function prefix(buffer: Float32Array, size: number): Float32Array {
  if (size === buffer.length) return buffer;
  if (size > buffer.length) throw new Error(`prefix: ${size} elements exceed the ${buffer.length} preallocated values`);
  let bySize = prefixViews.get(buffer);
  if (!bySize) prefixViews.set(buffer, (bySize = new Map()));
  let view = bySize.get(size);
  if (!view) bySize.set(size, (view = buffer.subarray(0, size)));
  return view;
}

/** A view of the first sizeOf(shape) elements of a preallocated buffer, with that shape. */
export function viewOf(buffer: Float32Array, shape: readonly number[]): Tensor {
  return { shape, data: prefix(buffer, sizeOf(shape)) };
}

export function assertSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((dim, i) => dim !== b.shape[i])) {
    throw new Error(`${what}: shapes [${a.shape}] and [${b.shape}] differ`);
  }
}
