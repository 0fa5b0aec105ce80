import type { Graph } from './engine.ts';
import type { Precision } from './precision.ts';
import { display, type Displayed } from './result.ts';
import type { Op } from './spec.ts';

/**
 * The graph drawn like a textbook figure of backpropagation: a box per input, a circle per op (all
 * of one size, holding the op's symbol), and for every edge two lines: the value flowing forward
 * (solid, black, labelled `name = value` when it leaves an op) and the gradient flowing back along
 * that edge (dashed, red, pointing back; what the reading node's backward sent, so a value read
 * twice gets two pairs that add up). A last pair leaves the output with its value and the seed
 * gradient 1. A legend says which line is which. Ids are n0, n1, … so that any name is safe.
 */

const SYMBOL: Record<Op, string> = { mul: '×', add: '+', relu: 'ReLU', sigmoid: 'σ', tanh: 'tanh' };
const GRADIENT_COLOUR = '#d62728';

interface Figure {
  boxes: Array<{ id: string; label: string; kind: 'input' | 'op' | 'output' }>;
  edges: Array<{ from: string; to: string; value: string; gradient: string }>;
}

const text = (value: Displayed): string => (typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Needs a graph that has run forward and backward. */
function figure(graph: Graph, precision: Precision): Figure {
  const show = (data: ArrayLike<number>, shape: readonly number[]) => text(display(data, shape, precision));
  const ids = new Map<string, string>();
  const ops = new Set(graph.nodes.map((node) => node.name));
  const boxes: Figure['boxes'] = [];
  for (const name of graph.inputs.keys()) {
    ids.set(name, `n${ids.size}`);
    boxes.push({ id: ids.get(name)!, label: name, kind: 'input' });
  }
  for (const node of graph.nodes) {
    ids.set(node.name, `n${ids.size}`);
    boxes.push({ id: ids.get(node.name)!, label: SYMBOL[node.op], kind: 'op' });
  }
  // An op's circle holds its symbol; its name goes with the value it sends forward.
  const forward = (name: string, value: string) => (ops.has(name) ? `${name} = ${value}` : value);
  const edges: Figure['edges'] = [];
  for (const node of graph.nodes) {
    node.in.forEach((name, k) => {
      const value = graph.value(name);
      edges.push({
        from: ids.get(name)!,
        to: ids.get(node.name)!,
        value: forward(name, show(value.data, value.shape)),
        gradient: show(graph.edgeGradient(node.name, k), value.shape),
      });
    });
  }
  const output = graph.value(graph.output);
  boxes.push({ id: 'out', label: 'output', kind: 'output' });
  edges.push({
    from: ids.get(graph.output)!,
    to: 'out',
    value: forward(graph.output, show(output.data, output.shape)),
    gradient: show(
      output.data.map(() => 1),
      output.shape,
    ),
  });
  return { boxes, edges };
}

/**
 * Mermaid flowchart. Forward edges `-->`, gradients dotted `-.-` with a `←` in the label (drawn in
 * the forward direction, so the layout stays left to right), coloured by `linkStyle`.
 */
export function toMermaid(graph: Graph, precision: Precision = 'f32'): string {
  const q = (s: string) => `"${s.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;')}"`;
  const { boxes, edges } = figure(graph, precision);
  const shape = (b: Figure['boxes'][number]) =>
    b.kind === 'op' ? `((${q(b.label)}))` : b.kind === 'output' ? `([${q(b.label)}])` : `[${q(b.label)}]`;
  const lines = [
    'flowchart LR',
    ...boxes.map((b) => `  ${b.id}${shape(b)}`),
    ...edges.flatMap((e) => [
      `  ${e.from} -->|${q(e.value)}| ${e.to}`,
      `  ${e.from} -.-|${q('← ' + e.gradient)}| ${e.to}`,
    ]),
    '  subgraph legend [legend]',
    '    direction LR',
    '    legendA[" "] -->|"forward: value"| legendB[" "]',
    '    legendC[" "] -.-|"← backward: gradient"| legendD[" "]',
    '  end',
  ];
  // Links are numbered in the order they appear: each pair is forward, gradient; then the legend's two.
  const gradients = [...edges.map((_, i) => 2 * i + 1), 2 * edges.length + 1];
  lines.push(`  linkStyle ${gradients.join(',')} stroke:${GRADIENT_COLOUR},color:${GRADIENT_COLOUR}`);
  lines.push('  classDef blank fill:none,stroke:none');
  lines.push('  class legendA,legendB,legendC,legendD blank');
  return lines.join('\n') + '\n';
}

/** Graphviz DOT; gradient edges run forward for the layout and draw their arrow at the tail. */
export function toDot(graph: Graph, precision: Precision = 'f32'): string {
  const q = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const { boxes, edges } = figure(graph, precision);
  const node = (b: Figure['boxes'][number]) =>
    b.kind === 'op'
      ? `shape=circle, width=0.55, fixedsize=true, fontsize=16`
      : `shape=box, width=1.3, height=0.45, fixedsize=true${b.kind === 'output' ? ', style=rounded' : ''}`;
  const back = `dir=back, style=dashed, color="${GRADIENT_COLOUR}", fontcolor="${GRADIENT_COLOUR}"`;
  return (
    [
      'digraph G {',
      '  rankdir=LR; nodesep=0.35; ranksep=1.4;',
      '  node [fontname="Helvetica", fontsize=12];',
      '  edge [fontname="Helvetica", fontsize=11];',
      ...boxes.map((b) => `  ${b.id} [label=${q(b.label)}, ${node(b)}];`),
      ...edges.flatMap((e) => [
        `  ${e.from} -> ${e.to} [label=${q(e.value)}];`,
        `  ${e.from} -> ${e.to} [label=${q(e.gradient)}, ${back}];`,
      ]),
      '  subgraph cluster_legend {',
      '    label="legend"; fontname="Helvetica"; fontsize=11; style=dashed;',
      '    legendA [label="", shape=point]; legendB [label="", shape=point];',
      '    legendC [label="", shape=point]; legendD [label="", shape=point];',
      '    legendA -> legendB [label="forward: value"];',
      `    legendC -> legendD [label="backward: gradient", ${back}];`,
      '  }',
      '}',
    ].join('\n') + '\n'
  );
}
