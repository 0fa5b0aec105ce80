import type { Graph } from './engine.ts';
import type { Op } from './spec.ts';
import { display, type Displayed } from './result.ts';

/**
 * The graph drawn like a textbook figure of backpropagation: a box per input, a round node per op,
 * and on every edge the value flowing forward with, below it, the gradient flowing back along that
 * edge (what the reading node's backward sent; a value read twice gets two edges that add up).
 * A last edge leaves the output carrying its value and the seed gradient 1.
 * Ids are n0, n1, … so that any name is safe; names appear only in labels.
 */

const SYMBOL: Record<Op, string> = { mul: '×', add: '+', relu: 'ReLU', sigmoid: 'σ', tanh: 'tanh' };

interface Figure {
  boxes: Array<{ id: string; label: string; op: boolean }>;
  edges: Array<{ from: string; to: string; value: string; gradient: string }>;
}

const text = (value: Displayed): string => (typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Needs a graph that has run forward and backward. */
function figure(graph: Graph): Figure {
  const ids = new Map<string, string>();
  const boxes: Figure['boxes'] = [];
  for (const name of graph.inputs.keys()) {
    ids.set(name, `n${ids.size}`);
    boxes.push({ id: ids.get(name)!, label: name, op: false });
  }
  for (const node of graph.nodes) {
    ids.set(node.name, `n${ids.size}`);
    boxes.push({ id: ids.get(node.name)!, label: `${SYMBOL[node.op]} ${node.name}`, op: true });
  }
  const edges: Figure['edges'] = [];
  for (const node of graph.nodes) {
    node.in.forEach((name, k) => {
      const value = graph.value(name);
      edges.push({
        from: ids.get(name)!,
        to: ids.get(node.name)!,
        value: text(display(value.data, value.shape)),
        gradient: text(display(graph.edgeGradient(node.name, k), value.shape)),
      });
    });
  }
  const output = graph.value(graph.output);
  boxes.push({ id: 'out', label: 'output', op: false });
  edges.push({
    from: ids.get(graph.output)!,
    to: 'out',
    value: text(display(output.data, output.shape)),
    gradient: text(
      display(
        graph.gradient(graph.output).map(() => 1),
        output.shape,
      ),
    ),
  });
  return { boxes, edges };
}

/** Mermaid flowchart; labels are quoted, with `"` written as the entity mermaid expects. */
export function toMermaid(graph: Graph): string {
  const q = (s: string) => `"${s.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;')}"`;
  const { boxes, edges } = figure(graph);
  return (
    [
      'flowchart LR',
      ...boxes.map((b) => (b.op ? `  ${b.id}((${q(b.label)}))` : `  ${b.id}[${q(b.label)}]`)),
      ...edges.map((e) => `  ${e.from} -->|${q(e.value).slice(0, -1)}<br/>${q(e.gradient).slice(1)}| ${e.to}`),
    ].join('\n') + '\n'
  );
}

/** Graphviz DOT; `\n` inside a label is DOT's own line break. */
export function toDot(graph: Graph): string {
  const q = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const { boxes, edges } = figure(graph);
  return (
    [
      'digraph G {',
      '  rankdir=LR;',
      ...boxes.map(
        (b) => `  ${b.id} [label=${q(b.label)}, shape=${b.op ? 'circle' : b.id === 'out' ? 'plaintext' : 'box'}];`,
      ),
      ...edges.map((e) => `  ${e.from} -> ${e.to} [label=${q(e.value).slice(0, -1)}\\n${q(e.gradient).slice(1)}];`),
      '}',
    ].join('\n') + '\n'
  );
}
