/**
 * Graph inputs arrive as JSON numbers or nested arrays; the engine works on flat float32 tensors.
 * This file converts between the two and formats float32 values for people.
 */

/** A JSON number or a (nested) array of them. */
export type NestedNumbers = number | NestedNumbers[];

/**
 * The shape of a rectangular nested array ([] for a scalar), or a reason it has none: every
 * array at one depth must have the same length, none may be empty, and numbers and arrays may not
 * be mixed at one depth.
 */
export function shapeOf(value: NestedNumbers): { shape: number[] } | { problem: string } {
  if (typeof value === 'number') return { shape: [] };
  if (value.length === 0) return { problem: 'arrays must not be empty' };
  const first = shapeOf(value[0]);
  if ('problem' in first) return first;
  for (let i = 1; i < value.length; i++) {
    const other = shapeOf(value[i]);
    if ('problem' in other) return other;
    if (!sameShape(first.shape, other.shape)) {
      return { problem: `not one shape: element 0 is [${first.shape}] but element ${i} is [${other.shape}]` };
    }
  }
  return { shape: [value.length, ...first.shape] };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Row-major flattening into float32 (values round to the nearest float32 here, once). */
export function flatten(value: NestedNumbers): Float32Array {
  const flat: number[] = [];
  const walk = (v: NestedNumbers): void => {
    if (typeof v === 'number') flat.push(v);
    else v.forEach(walk);
  };
  walk(value);
  return Float32Array.from(flat);
}

/** The inverse of flatten: a number for shape [], nested arrays otherwise. */
export function nest<T>(data: ArrayLike<number>, shape: readonly number[], map: (x: number) => T): T | NestedArray<T> {
  if (shape.length === 0) return map(data[0]);
  const build = (offset: number, depth: number): NestedArray<T> => {
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[depth] }, (_, i) =>
      depth === shape.length - 1 ? map(data[offset + i]) : build(offset + i * stride, depth + 1),
    );
  };
  return build(0, 0);
}

export type NestedArray<T> = Array<T | NestedArray<T>>;

/**
 * A float32 as the shortest decimal that reads back to the same float32: 2.2 rather than
 * 2.200000047683716 (its exact float64 widening). Lossless, unlike a fixed toPrecision(7), which
 * can merge neighbouring float32s. JSON has no Infinity or NaN, so those become strings.
 */
export function displayFloat32(x: number): number | string {
  if (!Number.isFinite(x)) return String(x);
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(x.toPrecision(digits));
    if (Math.fround(short) === x) return short;
  }
  return Number(x.toPrecision(9));
}
