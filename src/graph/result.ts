import type { Graph } from './engine.ts';
import type { Precision } from './precision.ts';
import { displayFloat32, nest, type NestedArray } from './values.ts';

export type Displayed = number | string | NestedArray<number | string>;

/** What `npm run graph` prints: the output, and the value and gradient of every input and node. */
export interface GraphResult {
  output: Displayed;
  values: Record<string, Displayed>;
  gradients: Record<string, Displayed>;
}

/**
 * A tensor for people: a number for a scalar, nested arrays in its shape otherwise; float32 values
 * with the fewest digits that read back to the same float32, float64 values as JavaScript prints
 * them (also the fewest digits). JSON has no Infinity or NaN: those become strings.
 */
export function display(data: ArrayLike<number>, shape: readonly number[], precision: Precision = 'f32'): Displayed {
  return nest(data, shape, precision === 'f32' ? displayFloat32 : (x) => (Number.isFinite(x) ? x : String(x)));
}

/** Runs forward and backward and collects the result, inputs first, then nodes in evaluation order. */
export function runGraph(graph: Graph, precision: Precision = 'f32'): GraphResult {
  const output = graph.forward();
  graph.backward();
  const names = [...graph.inputs.keys(), ...graph.nodes.map((node) => node.name)];
  const values: Record<string, Displayed> = {};
  const gradients: Record<string, Displayed> = {};
  for (const name of names) {
    const value = graph.value(name);
    values[name] = display(value.data, value.shape, precision);
    gradients[name] = display(graph.gradient(name), value.shape, precision);
  }
  return { output: display(output.data, output.shape, precision), values, gradients };
}
