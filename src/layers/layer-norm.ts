import { viewOf, type Tensor } from '../tensor.ts';
import { cached, type Layer, type LayerContext, type Param } from './layer.ts';

/**
 * Layer normalization (Ba, Kiros & Hinton 2016), per sample over its features, as PyTorch's
 * LayerNorm over the whole per-sample shape:
 *   μ = mean_j x_j,  σ² = mean_j (x_j − μ)²  (biased),  x̂ = (x − μ)/√(σ² + ε),  y = γ ⊙ x̂ + β
 * Backward, with g = dout ⊙ γ and D features:
 *   dx = 1/(D·√(σ² + ε)) · (D·g − Σ_j g_j − x̂ · Σ_j g_j·x̂_j),  dγ = Σ_rows dout ⊙ x̂,  dβ = Σ_rows dout
 * Each row is normalized on its own, so a batch split into chunks needs no statistics from other
 * chunks. Mean and variance are taken in float64 (two passes), x̂ is cached for backward.
 */
export class LayerNorm implements Layer {
  readonly params: readonly Param[];
  private shape?: readonly number[];
  private readonly out: Float32Array;
  private readonly dx: Float32Array;
  private readonly normalized: Float32Array;
  private readonly inverseStd: Float32Array;

  constructor(
    readonly features: number,
    readonly gamma: Param,
    readonly beta: Param,
    readonly epsilon: number,
    maxRows: number,
    { alloc }: LayerContext,
  ) {
    this.params = [gamma, beta];
    this.out = alloc.floats(maxRows * features);
    this.dx = alloc.floats(maxRows * features);
    this.normalized = alloc.floats(maxRows * features);
    this.inverseStd = alloc.floats(maxRows);
  }

  forward(x: Tensor): Tensor {
    const n = this.features;
    const rows = x.shape[0];
    if (x.data.length !== rows * n) throw new Error(`LayerNorm: expected ${n} features per row, got [${x.shape}]`);
    this.shape = x.shape;
    const out = viewOf(this.out, x.shape);
    const y = out.data;
    const xhat = this.normalized;
    const gamma = this.gamma.value;
    const beta = this.beta.value;
    for (let i = 0; i < rows; i++) {
      const row = i * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += x.data[row + j];
      const mean = sum / n;
      let squares = 0;
      for (let j = 0; j < n; j++) squares += (x.data[row + j] - mean) ** 2;
      const inverse = 1 / Math.sqrt(squares / n + this.epsilon);
      this.inverseStd[i] = inverse;
      for (let j = 0; j < n; j++) {
        xhat[row + j] = (x.data[row + j] - mean) * inverse;
        y[row + j] = gamma[j] * xhat[row + j] + beta[j];
      }
    }
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const shape = cached(this.shape, 'LayerNorm');
    const n = this.features;
    const rows = shape[0];
    const dx = viewOf(this.dx, shape);
    const xhat = this.normalized;
    const gamma = this.gamma.value;
    const dgamma = this.gamma.grad;
    const dbeta = this.beta.grad;
    dgamma.fill(0);
    dbeta.fill(0);
    for (let i = 0; i < rows; i++) {
      const row = i * n;
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < n; j++) {
        const d = dout.data[row + j];
        const g = d * gamma[j];
        sumG += g;
        sumGX += g * xhat[row + j];
        dgamma[j] += d * xhat[row + j];
        dbeta[j] += d;
      }
      const scale = this.inverseStd[i] / n;
      for (let j = 0; j < n; j++) {
        dx.data[row + j] = scale * (n * dout.data[row + j] * gamma[j] - sumG - xhat[row + j] * sumGX);
      }
    }
    return [dx];
  }
}
