import type { Graph } from './engine.ts';
import { displayFloat32, nest, type NestedArray } from './values.ts';

export type Displayed = number | string | NestedArray<number | string>;

/** What `npm run graph` prints: the output, and the value and gradient of every input and node. */
export interface GraphResult {
  output: Displayed;
  values: Record<string, Displayed>;
  gradients: Record<string, Displayed>;
}

/** A float32 tensor for people: a number for a scalar, nested arrays in its shape otherwise. */
export function display(data: ArrayLike<number>, shape: readonly number[]): Displayed {
  return nest(data, shape, displayFloat32);
}

/** Runs forward and backward and collects the result, inputs first, then nodes in evaluation order. */
export function runGraph(graph: Graph): GraphResult {
  const output = graph.forward();
  graph.backward();
  const names = [...graph.inputs.keys(), ...graph.nodes.map((node) => node.name)];
  const values: Record<string, Displayed> = {};
  const gradients: Record<string, Displayed> = {};
  for (const name of names) {
    const value = graph.value(name);
    values[name] = display(value.data, value.shape);
    gradients[name] = display(graph.gradient(name), value.shape);
  }
  return { output: display(output.data, output.shape), values, gradients };
}
