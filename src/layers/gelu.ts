import { Activation } from './activations.ts';
import { normalCdf, normalPdf } from './erf.ts';
import type { LayerContext } from './layer.ts';

/**
 * GELU (Hendrycks & Gimpel 2016): y = x·Φ(x), Φ the standard normal distribution function.
 *   approximate 'none' (default, PyTorch's default): Φ exact through erf;
 *                      dy/dx = Φ(x) + x·φ(x)
 *   approximate 'tanh' (PyTorch's approximate='tanh', the original BERT/GPT-2 form):
 *                      y = ½x·(1 + tanh u), u = √(2/π)·(x + 0.044715·x³);
 *                      dy/dx = ½(1 + tanh u) + ½x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
 * Caches its input; computes in float64 and rounds each result once.
 */
export const GELU_APPROXIMATIONS = ['none', 'tanh'] as const;
export type GeluApproximation = (typeof GELU_APPROXIMATIONS)[number];

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

export class Gelu extends Activation {
  constructor(
    capacity: number,
    context: LayerContext,
    readonly approximate: GeluApproximation = 'none',
  ) {
    super(capacity, context, true);
  }

  protected apply(x: Float32Array, y: Float32Array, len: number) {
    if (this.approximate === 'tanh') {
      for (let i = 0; i < len; i++) {
        const v = x[i];
        y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));
      }
    } else {
      for (let i = 0; i < len; i++) y[i] = x[i] * normalCdf(x[i]);
    }
  }

  protected derive(x: Float32Array, dout: Float32Array, dx: Float32Array, len: number) {
    if (this.approximate === 'tanh') {
      for (let i = 0; i < len; i++) {
        const v = x[i];
        const t = Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
        const slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * CUBIC * v * v);
        dx[i] = dout[i] * slope;
      }
    } else {
      for (let i = 0; i < len; i++) dx[i] = dout[i] * (normalCdf(x[i]) + x[i] * normalPdf(x[i]));
    }
  }
}
