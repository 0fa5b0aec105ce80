import type { OptimizerConfig } from '../config/schema.ts';
import type { Kernels } from '../kernels/types.ts';

/** Extra vectors (of the parameters' layout) each optimizer keeps between steps. */
export function optimizerStateCount(config: OptimizerConfig): number {
  return { sgd: 0, momentum: 1, adagrad: 1, adam: 2 }[config.type];
}

/** A range of the parameter vector and of each optimizer-state vector, in one buffer. */
export interface OptimizerVectors {
  params: Float32Array;
  state: Float32Array[];
}

/**
 * One update of (a range of) the flat parameter vector from the averaged gradient, reading `from`
 * (the committed buffer) and writing `to` (the uncommitted one, compute-thread.ts runRanges) in one pass.
 * Elementwise, so ranges may be updated by different threads with the same result. `step` is
 * 1-based (Adam's bias correction needs it).
 */
export function applyOptimizer(
  kernels: Kernels,
  config: OptimizerConfig,
  from: OptimizerVectors,
  to: OptimizerVectors,
  grads: Float32Array,
  step: number,
  /** The step's learning rate: learningRate, or what its schedule gives (schedule.ts). */
  learningRate: number,
): void {
  const { params: w, state } = from;
  const n = w.length;
  switch (config.type) {
    case 'sgd':
      return kernels.sgd(w, grads, n, learningRate, config.weightDecay, to.params);
    case 'momentum':
      return kernels.momentum(
        w,
        grads,
        state[0],
        n,
        learningRate,
        config.momentum,
        config.weightDecay,
        to.params,
        to.state[0],
      );
    case 'adagrad':
      return kernels.adagrad(
        w,
        grads,
        state[0],
        n,
        learningRate,
        config.epsilon,
        config.weightDecay,
        to.params,
        to.state[0],
      );
    case 'adam':
      return kernels.adam(
        w,
        grads,
        state[0],
        state[1],
        n,
        learningRate,
        config.beta1,
        config.beta2,
        config.epsilon,
        config.weightDecay,
        step,
        to.params,
        to.state[0],
        to.state[1],
      );
  }
}
