import { referenceKernels } from '../kernels/reference.ts';
import { ReLU, Sigmoid, Tanh } from '../layers/activations.ts';
import { Add, Mul } from '../layers/elementwise.ts';
import type { Layer, LayerContext } from '../layers/layer.ts';
import { heapAllocator, type Allocator, type Tensor } from '../tensor.ts';
import type { GraphSpec, Op } from './spec.ts';
import { topologicalOrder } from './topology.ts';
import { flatten, shapeOf } from './values.ts';

/** One op per layer class; a Record so the compiler insists on exactly one entry per op. */
const LAYER_OF: Record<Op, (capacity: number, context: LayerContext) => Layer> = {
  mul: (capacity, context) => new Mul(capacity, context),
  add: (capacity, context) => new Add(capacity, context),
  relu: (capacity, context) => new ReLU(capacity, context),
  sigmoid: (capacity, context) => new Sigmoid(capacity, context),
  tanh: (capacity, context) => new Tanh(capacity, context),
};

interface GraphNode {
  readonly name: string;
  readonly op: Op;
  readonly in: readonly string[];
  readonly layer: Layer;
}

/**
 * A validated graph spec, ready to run: one layer per node, evaluated in topological order, and
 * backpropagated from the output with dout = 1 for every element (the gradient of the SUM of the
 * output). Gradients ACCUMULATE: a value read by several nodes, or twice by one (`mul(x, x)`),
 * receives the sum of what every reader sends back. Input values are plain float32 views, so a
 * gradient check can nudge them in place and run forward again.
 */
export class Graph {
  readonly inputs: ReadonlyMap<string, Tensor>;
  readonly nodes: readonly GraphNode[];
  readonly output: string;
  private readonly values = new Map<string, Tensor>();
  private readonly grads = new Map<string, Float32Array>();
  /** What each node's backward sent to each of its inputs, per input slot (the edge gradients). */
  private readonly sent = new Map<string, Float32Array[]>();
  private readonly alloc: Allocator;

  /**
   * `spec` must have passed `graphSpecSchema` (known names, no cycle, matching shapes). Inputs are
   * rounded to float32 either way; `alloc` only decides where values live (a gradient check runs a
   * float64 twin).
   */
  constructor(spec: GraphSpec, alloc: Allocator = heapAllocator) {
    const inputs = new Map<string, Tensor>();
    for (const [name, value] of Object.entries(spec.inputs)) {
      const shape = shapeOf(value);
      if ('problem' in shape) throw new Error(`Graph: input "${name}": ${shape.problem}`);
      const flat = flatten(value);
      const data = alloc.floats(flat.length);
      data.set(flat);
      inputs.set(name, { shape: shape.shape, data });
    }
    const topology = topologicalOrder(spec.nodes);
    if ('cycle' in topology) throw new Error(`Graph: cycle ${topology.cycle.join(' → ')}`);
    const sizes = new Map([...inputs].map(([name, t]) => [name, t.data.length]));
    const context: LayerContext = { kernels: referenceKernels, alloc };
    this.nodes = topology.order.map((i) => {
      const { name, op, in: reads } = spec.nodes[i];
      const size = sizes.get(reads[0]) ?? 0;
      sizes.set(name, size);
      return { name, op, in: reads, layer: LAYER_OF[op](size, context) };
    });
    // Gradients live where values do: float64 in a float64 graph (gradcheck's twin, --precision f64).
    for (const [name, size] of sizes) this.grads.set(name, alloc.floats(size));
    this.alloc = alloc;
    this.inputs = inputs;
    this.output = spec.output;
  }

  /** Evaluates every node in order; returns the output. */
  forward(): Tensor {
    for (const [name, value] of this.inputs) this.values.set(name, value);
    for (const node of this.nodes) {
      this.values.set(node.name, node.layer.forward(...node.in.map((name) => this.value(name))));
    }
    return this.value(this.output);
  }

  /** Backpropagates the last forward: d sum(output) / d every input and node. */
  backward(): void {
    for (const grad of this.grads.values()) grad.fill(0);
    this.gradient(this.output).fill(1);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const sent = node.layer.backward({ shape: this.value(node.name).shape, data: this.gradient(node.name) });
      // Copies, not the layer's views: the next backward of that layer would overwrite them.
      this.sent.set(
        node.name,
        sent.map((g) => {
          const copy = this.alloc.floats(g.data.length);
          copy.set(g.data);
          return copy;
        }),
      );
      node.in.forEach((name, k) => {
        const into = this.gradient(name);
        for (let j = 0; j < into.length; j++) into[j] += sent[k].data[j];
      });
    }
  }

  value(name: string): Tensor {
    const value = this.values.get(name);
    if (!value) throw new Error(`Graph: "${name}" has no value (forward has not run)`);
    return value;
  }

  /** d sum(output) / d name, after backward. */
  gradient(name: string): Float32Array {
    const grad = this.grads.get(name);
    if (!grad) throw new Error(`Graph: unknown name "${name}"`);
    return grad;
  }

  /** The gradient that node `name` sent back along its k-th input edge, after backward. */
  edgeGradient(name: string, k: number): Float32Array {
    const sent = this.sent.get(name);
    if (!sent) throw new Error(`Graph: node "${name}" has not run backward`);
    return sent[k];
  }

  /** Which elements of each ReLU's input are positive: backprop is only linear-exact inside one such region. */
  reluRegion(): Uint8Array {
    const bits: number[] = [];
    for (const node of this.nodes) {
      if (node.op !== 'relu') continue;
      for (const x of this.value(node.in[0]).data) bits.push(x > 0 ? 1 : 0);
    }
    return Uint8Array.from(bits);
  }
}
