/**
 * `npm run graph --precision f64`: the same graph in float64, to reproduce a textbook's numbers
 * (Deep Learning from Scratch computes its apple/orange example in NumPy float64:
 * d price / d orange = 3.3000000000000003, where float32 gives 3.3000002).
 */
import { float64Allocator } from '../gradcheck/float64.ts';
import { Graph } from './engine.ts';
import type { GraphSpec } from './spec.ts';
import type { NestedNumbers } from './values.ts';

export const PRECISIONS = ['f32', 'f64'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** A graph computing in `precision`; in f64 the inputs keep every digit of the spec's numbers. */
export function graphIn(spec: GraphSpec, precision: Precision): Graph {
  if (precision === 'f32') return new Graph(spec);
  const graph = new Graph(spec, float64Allocator);
  // The engine reads its inputs through float32 (a gradient check's twin wants exactly that);
  // here they are written again from the spec, in full. Inputs are mutable views by design.
  for (const [name, input] of graph.inputs) input.data.set(numbers(spec.inputs[name]));
  return graph;
}

function numbers(value: NestedNumbers): number[] {
  return typeof value === 'number' ? [value] : value.flatMap(numbers);
}
