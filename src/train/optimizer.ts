import type { OptimizerConfig } from '../config/schema.ts';
import type { Kernels } from '../kernels/types.ts';

/** Extra vectors (of the parameters' layout) each optimizer keeps between steps. */
export function optimizerStateCount(config: OptimizerConfig): number {
  return { sgd: 0, momentum: 1, adagrad: 1, adam: 2 }[config.type];
}

/**
 * One update of (a range of) the flat parameter vector from the averaged gradient; elementwise, so
 * ranges may be updated by different threads with the same result. It runs on the uncommitted
 * buffer (shard.ts runRanges). `step` is 1-based (Adam's bias correction needs it).
 */
export function applyOptimizer(kernels: Kernels, config: OptimizerConfig, params: Float32Array, grads: Float32Array, state: Float32Array[], step: number): void {
  const n = params.length;
  switch (config.type) {
    case 'sgd': return kernels.sgd(params, grads, n, config.learningRate, config.weightDecay);
    case 'momentum': return kernels.momentum(params, grads, state[0], n, config.learningRate, config.momentum, config.weightDecay);
    case 'adagrad': return kernels.adagrad(params, grads, state[0], n, config.learningRate, config.epsilon, config.weightDecay);
    case 'adam': return kernels.adam(params, grads, state[0], state[1], n, config.learningRate, config.beta1, config.beta2, config.epsilon, config.weightDecay, step);
  }
}
