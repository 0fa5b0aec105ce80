/**
 * Evaluation order of a graph: nodes may be listed in any order, so we sort them so that every
 * node comes after the nodes it reads. Depth-first, visiting nodes in spec order, so the order
 * (and with it every float32 sum) is a pure function of the spec.
 */

export interface NodeRefs {
  readonly name: string;
  readonly in: readonly string[];
}

export type Topology = { order: number[] } | { cycle: string[] };

/**
 * Indices of `nodes` in an order where producers precede consumers, or the first cycle found,
 * as the names along it in data-flow order with the first repeated at the end (a → b → a). Names that are not nodes
 * (inputs, or undefined names reported elsewhere) are leaves.
 */
export function topologicalOrder(nodes: readonly NodeRefs[]): Topology {
  const indexOf = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!indexOf.has(node.name)) indexOf.set(node.name, i);
  });
  const state = new Uint8Array(nodes.length); // 0 unvisited, 1 on the current path, 2 done
  const order: number[] = [];
  const path: number[] = [];

  const visit = (i: number): string[] | null => {
    if (state[i] === 2) return null;
    if (state[i] === 1) {
      const from = path.indexOf(i);
      // path runs consumer → input; reversed, it reads in the direction data flows.
      return [...path.slice(from), i].map((j) => nodes[j].name).reverse();
    }
    state[i] = 1;
    path.push(i);
    for (const name of nodes[i].in) {
      const j = indexOf.get(name);
      if (j === undefined) continue;
      const cycle = visit(j);
      if (cycle) return cycle;
    }
    path.pop();
    state[i] = 2;
    order.push(i);
    return null;
  };

  for (let i = 0; i < nodes.length; i++) {
    const cycle = visit(i);
    if (cycle) return { cycle };
  }
  return { order };
}
