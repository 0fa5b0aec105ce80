import { Graph } from '../graph/engine.ts';
import type { GraphSpec } from '../graph/spec.ts';
import type { Layer } from '../layers/layer.ts';
import type { Loss, Targets } from '../layers/losses.ts';
import { heapAllocator, type Allocator, type Tensor } from '../tensor.ts';
import type { CheckedTensor, GradcheckSubject } from './check.ts';
import { float64Allocator, widen } from './float64.ts';

/**
 * Adapters that turn a layer, a loss or a graph into something `gradcheck` can nudge. Each builds
 * the thing twice from one recipe: in float32 (its backward is what we check) and in float64 (its
 * forward gives the numerical gradient), at the same point.
 */

/**
 * One layer on the given inputs, objective Σ_i weights_i · y_i. A random `weights` (the dout
 * backward receives) rather than all ones: a backward that ignored dout, or mixed up its elements,
 * would pass with dout = 1. Checks every distinct input and every parameter.
 */
export function layerSubject(
  name: string,
  build: (alloc: Allocator) => Layer,
  inputs: readonly Tensor[],
  weights: Float32Array,
): GradcheckSubject {
  const layer = build(heapAllocator);
  const twin = build(float64Allocator);
  twin.params.forEach((p, k) => p.value.set(layer.params[k].value));
  const distinct = inputs.filter((x, k) => inputs.indexOf(x) === k);
  const wide = distinct.map(widen);
  const inputGrads = distinct.map((x) => new Float32Array(x.data.length));
  const tensors: CheckedTensor[] = [
    ...distinct.map((_, k) => ({ name: `${name}.in${k}`, value: wide[k].data, grad: inputGrads[k] })),
    ...layer.params.map((p, k) => ({ name: `${name}.${p.name}`, value: twin.params[k].value, grad: p.grad })),
  ];
  const twinInputs = inputs.map((x) => wide[distinct.indexOf(x)]);
  return {
    tensors,
    objective() {
      const y = twin.forward(...twinInputs);
      let sum = 0;
      for (let i = 0; i < y.data.length; i++) sum += weights[i] * y.data[i];
      return sum;
    },
    backprop() {
      const y = layer.forward(...inputs);
      const sent = layer.backward({ shape: y.shape, data: weights.subarray(0, y.data.length) });
      // Accumulate: the same tensor passed twice (mul(x, x)) gets both contributions.
      inputGrads.forEach((g) => g.fill(0));
      sent.forEach((g, k) => {
        const into = inputGrads[distinct.indexOf(inputs[k])];
        for (let i = 0; i < into.length; i++) into[i] += g.data[i];
      });
    },
    region: twin.region?.bind(twin),
  };
}

/** A loss on logits/outputs `x`: objective is the loss sum, checked with respect to `x`. */
export function lossSubject(
  name: string,
  build: (alloc: Allocator) => Loss,
  x: Tensor,
  targets: Targets,
): GradcheckSubject {
  const loss = build(heapAllocator);
  const twin = build(float64Allocator);
  const wide = widen(x);
  const grad = new Float32Array(x.data.length);
  return {
    tensors: [{ name, value: wide.data, grad }],
    objective: () => twin.forward(wide, targets),
    backprop() {
      loss.forward(x, targets);
      grad.set(loss.backward().data);
    },
  };
}

/** A graph: objective Σ output (the gradient the graph command reports), checked for every input. */
export function graphSubject(spec: GraphSpec): GradcheckSubject {
  const graph = new Graph(spec);
  const twin = new Graph(spec, float64Allocator);
  return {
    tensors: [...twin.inputs].map(([name, t]) => ({ name, value: t.data, grad: graph.gradient(name) })),
    objective() {
      let sum = 0;
      for (const y of twin.forward().data) sum += y;
      return sum;
    },
    backprop() {
      graph.forward();
      graph.backward();
    },
    region: () => twin.reluRegion(),
  };
}
