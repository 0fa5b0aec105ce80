import { z } from 'zod';
import { topologicalOrder } from './topology.ts';
import { sameShape, shapeOf, type NestedNumbers } from './values.ts';

/**
 * The graph spec: named inputs (numbers or nested arrays of one shape), nodes applying an op to
 * named values, and the name of the output. zod checks the structure; `checkGraph` then checks
 * what a schema of fields cannot (names, references, cycles, shapes) and names the node at fault.
 */

/** Ops and how many inputs each takes: the elementwise layers of src/layers. */
export const OP_ARITY = { mul: 2, add: 2, relu: 1, sigmoid: 1, tanh: 1 } as const;
export type Op = keyof typeof OP_ARITY;
const OPS = Object.keys(OP_ARITY) as [Op, ...Op[]];

const nestedNumbers: z.ZodType<NestedNumbers> = z.lazy(() =>
  z.union([z.number(), z.array(nestedNumbers)], { error: 'expected a number or a (nested) array of numbers' }),
);

const nodeSchema = z.strictObject({
  name: z.string().min(1),
  op: z.enum(OPS),
  in: z.array(z.string().min(1)),
});

const structureSchema = z.strictObject({
  inputs: z.record(z.string().min(1), nestedNumbers),
  nodes: z.array(nodeSchema),
  output: z.string().min(1),
});

export const graphSpecSchema = structureSchema.superRefine(checkGraph);

export type GraphSpec = z.infer<typeof structureSchema>;
export type NodeSpec = z.infer<typeof nodeSchema>;
type Report = (message: string, path: PropertyKey[]) => void;

function checkGraph(spec: GraphSpec, ctx: z.RefinementCtx): void {
  const report: Report = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
  const shapes = new Map<string, readonly number[]>();
  for (const [name, value] of Object.entries(spec.inputs)) {
    const shape = shapeOf(value);
    if ('problem' in shape) report(`input "${name}": ${shape.problem}`, ['inputs', name]);
    else shapes.set(name, shape.shape);
  }
  const structural = checkNames(spec, report);
  if (structural) {
    const topology = topologicalOrder(spec.nodes);
    if ('cycle' in topology) {
      const at = spec.nodes.findIndex((node) => node.name === topology.cycle[0]);
      report(`node "${topology.cycle[0]}" is on a cycle: ${topology.cycle.join(' → ')}`, ['nodes', at, 'in']);
    } else {
      checkShapes(spec.nodes, topology.order, shapes, report);
    }
  }
  if (!(spec.output in spec.inputs) && !spec.nodes.some((node) => node.name === spec.output)) {
    report(`output "${spec.output}" is not an input or a node`, ['output']);
  }
}

/** Unique names, the right number of inputs, no undefined references. True when all hold. */
function checkNames(spec: GraphSpec, report: Report): boolean {
  const firstNode = new Map<string, number>();
  let ok = true;
  spec.nodes.forEach((node, i) => {
    if (node.name in spec.inputs) {
      report(`node "${node.name}": the name is already used by an input`, ['nodes', i, 'name']);
      ok = false;
    } else if (firstNode.has(node.name)) {
      report(`node "${node.name}": the name is already used by node ${firstNode.get(node.name)}`, ['nodes', i, 'name']);
      ok = false;
    } else firstNode.set(node.name, i);
  });
  spec.nodes.forEach((node, i) => {
    const arity = OP_ARITY[node.op];
    if (node.in.length !== arity) {
      report(`node "${node.name}": ${node.op} takes ${arity} input${arity > 1 ? 's' : ''}, got ${node.in.length}`, [
        'nodes',
        i,
        'in',
      ]);
      ok = false;
    }
    node.in.forEach((name, j) => {
      if (!(name in spec.inputs) && !firstNode.has(name)) {
        report(`node "${node.name}": "${name}" is not an input or a node`, ['nodes', i, 'in', j]);
        ok = false;
      }
    });
  });
  return ok;
}

/** Propagates shapes in evaluation order: a binary op needs two values of one shape. */
function checkShapes(
  nodes: readonly NodeSpec[],
  order: readonly number[],
  shapes: Map<string, readonly number[]>,
  report: Report,
): void {
  for (const i of order) {
    const node = nodes[i];
    const inShapes = node.in.map((name) => shapes.get(name));
    if (inShapes.some((shape) => shape === undefined)) continue; // an input with its own problem
    const [first, ...rest] = inShapes as (readonly number[])[];
    const other = rest.findIndex((shape) => !sameShape(shape, first));
    if (other >= 0) {
      report(
        `node "${node.name}": shapes differ: "${node.in[0]}" is ${describe(first)} ` +
          `but "${node.in[other + 1]}" is ${describe(rest[other])}`,
        ['nodes', i, 'in'],
      );
      continue;
    }
    shapes.set(node.name, first);
  }
}

const describe = (shape: readonly number[]) => (shape.length === 0 ? 'a scalar' : `[${shape.join(', ')}]`);
