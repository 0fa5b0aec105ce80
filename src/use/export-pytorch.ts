/**
 * A model as a PyTorch state dict for `nn.Sequential`: layer i of the chain is module i.
 *
 *   affine  → nn.Linear(in, out): `i.weight` [out, in] = Wᵀ (shardprop stores W as [in, out]), `i.bias` [out]
 *   relu, sigmoid, tanh → nn.ReLU(), nn.Sigmoid(), nn.Tanh() (no tensors)
 *   scale   → nn.Linear(n, n) with weight diag(s) and bias 0: x·diag(s) = x ⊙ s exactly
 *   bias    → nn.Linear(n, n) with weight I and bias b: x·I + b = x + b exactly
 *
 * PyTorch has no per-feature scale or bias module; the square Linear gives the same outputs (every
 * off-diagonal product is an exact zero) at the cost of n² weights, and keeps the indices of the
 * other modules those of the chain.
 */
import type { NamedTensor } from '../io/safetensors.ts';
import type { LoadedModel } from './loaded-model.ts';
import { UserError } from '../errors.ts';

export interface PytorchExport {
  readonly tensors: Record<string, NamedTensor>;
  /** Python for the matching module, e.g. `nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))`. */
  readonly sequential: string;
}

const ACTIVATIONS: Record<string, string> = { relu: 'nn.ReLU()', sigmoid: 'nn.Sigmoid()', tanh: 'nn.Tanh()' };

export function pytorchStateDict(model: LoadedModel): PytorchExport {
  const source = model.tensors();
  const tensors: Record<string, NamedTensor> = {};
  const modules = model.description.layers.map((layer, i) => {
    if (ACTIVATIONS[layer.type]) return ACTIVATIONS[layer.type];
    if (layer.inputShape.length !== 1) {
      throw new UserError(`✖ layer ${i} (${layer.type}) takes [${layer.inputShape}]: only flat rows map to nn.Linear`);
    }
    const n = layer.inputShape[0];
    if (layer.type === 'affine') {
      const [inputs, units] = [n, layer.outputShape[0]];
      tensors[`${i}.weight`] = {
        shape: [units, inputs],
        data: transpose(source[`layers.${i}.weight`].data, inputs, units),
      };
      tensors[`${i}.bias`] = { shape: [units], data: source[`layers.${i}.bias`].data.slice() };
      return `nn.Linear(${inputs}, ${units})`;
    }
    if (layer.type === 'scale') {
      tensors[`${i}.weight`] = { shape: [n, n], data: diagonal(source[`layers.${i}.scale`].data) };
      tensors[`${i}.bias`] = { shape: [n], data: new Float32Array(n) };
      return `nn.Linear(${n}, ${n})`;
    }
    if (layer.type === 'bias') {
      tensors[`${i}.weight`] = { shape: [n, n], data: diagonal(new Float32Array(n).fill(1)) };
      tensors[`${i}.bias`] = { shape: [n], data: source[`layers.${i}.bias`].data.slice() };
      return `nn.Linear(${n}, ${n})`;
    }
    throw new UserError(`✖ layer ${i} (${layer.type}) has no PyTorch equivalent here`);
  });
  return { tensors, sequential: `nn.Sequential(${modules.join(', ')})` };
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

function diagonal(values: Float32Array): Float32Array {
  const n = values.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = values[i];
  return out;
}
