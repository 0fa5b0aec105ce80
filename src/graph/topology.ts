/**
 * Evaluation order of a graph: nodes may be listed in any order, so we sort them so that every
 * node comes after the nodes it reads. Depth-first, visiting nodes in spec order, so the order
 * (and with it every float32 sum) is a pure function of the spec. The walk keeps its own stack:
 * a long chain listed backwards would overflow the call stack of a recursive one.
 */

export interface NodeRefs {
  readonly name: string;
  readonly in: readonly string[];
}

export type Topology = { order: number[] } | { cycle: string[] };

/**
 * Indices of `nodes` in an order where producers precede consumers, or the first cycle found,
 * as the names along it in data-flow order with the first repeated at the end (a → b → a).
 * Names that are not nodes (inputs, or undefined names reported elsewhere) are leaves.
 */
export function topologicalOrder(nodes: readonly NodeRefs[]): Topology {
  const indexOf = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!indexOf.has(node.name)) indexOf.set(node.name, i);
  });
  const state = new Uint8Array(nodes.length); // 0 unvisited, 1 on the current path, 2 done
  const order: number[] = [];

  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== 0) continue;
    // The current path, consumer → input, with how many inputs of each node were looked at.
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const i = path[top];
      if (next[top] === nodes[i].in.length) {
        state[i] = 2;
        order.push(i);
        path.pop();
        next.pop();
        continue;
      }
      const j = indexOf.get(nodes[i].in[next[top]++]);
      if (j === undefined || state[j] === 2) continue;
      if (state[j] === 1) {
        // Reversed, the path from j reads in the direction data flows.
        return { cycle: [...path.slice(path.indexOf(j)), j].map((k) => nodes[k].name).reverse() };
      }
      state[j] = 1;
      path.push(j);
      next.push(0);
    }
  }
  return { order };
}
