/**
 * A model as a PyTorch state dict for `nn.Sequential`: layer i of the chain is module i.
 *
 *   affine      → nn.Linear(in, out): `i.weight` [out, in] = Wᵀ (shardprop stores W as [in, out]), `i.bias`
 *   scale, bias → nn.Linear(n, n) with weight diag(s) and bias 0, or weight I and bias b (exact: every
 *                 off-diagonal product is a zero)
 *   conv2d      → nn.Conv2d (the same [filters, channels, kh, kw] weight); maxpool, avgpool → nn.MaxPool2d,
 *                 nn.AvgPool2d; flatten → nn.Flatten
 *   layer-norm  → nn.LayerNorm(input shape, eps); batch-norm → nn.BatchNorm1d(n, eps, momentum = 1 − ours)
 *   activations → nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU(α), nn.GELU; dropout → nn.Dropout(rate)
 *
 * A per-feature layer (affine, scale, bias, batch-norm) whose input is an image [channels, height,
 * width] takes it as the flat row shardprop does: its module is nested, nn.Sequential(nn.Flatten(),
 * module[, nn.Unflatten(1, shape)]), so its tensors are `i.1.weight`… and every other index stays the
 * chain's.
 */
import type { NamedTensor } from '../io/safetensors.ts';
import { sizeOf } from '../tensor.ts';
import type { LayerDescription } from './model-json.ts';
import type { LoadedModel } from './loaded-model.ts';

export interface PytorchExport {
  readonly tensors: Record<string, NamedTensor>;
  /** Python for the matching module, e.g. `nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))`. */
  readonly sequential: string;
}

/** One layer's module: its Python, and its tensors by name inside the module (`weight`, `bias`, …). */
interface Module {
  readonly python: string;
  readonly tensors: Record<string, NamedTensor>;
}

const SIMPLE = { relu: 'nn.ReLU()', sigmoid: 'nn.Sigmoid()', tanh: 'nn.Tanh()', flatten: 'nn.Flatten()' };

export function pytorchStateDict(model: LoadedModel): PytorchExport {
  const source = model.tensors();
  const tensors: Record<string, NamedTensor> = {};
  const modules = model.description.layers.map((layer, i) => {
    const { python, tensors: own } = moduleOf(layer, (name) => source[`layers.${i}.${name}`]);
    for (const [name, tensor] of Object.entries(own)) tensors[`${i}.${name}`] = tensor;
    return python;
  });
  return { tensors, sequential: `nn.Sequential(${modules.join(', ')})` };
}

/** (h, w) as Python. */
const pair = (size: number | readonly [number, number]) =>
  typeof size === 'number' ? `(${size}, ${size})` : `(${size[0]}, ${size[1]})`;
const tuple = (shape: readonly number[]) => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
const copy = (t: NamedTensor): NamedTensor => ({ shape: [...t.shape], data: t.data.slice() });

function moduleOf(layer: LayerDescription, tensor: (name: string) => NamedTensor): Module {
  const config = layer.config;
  const n = sizeOf(layer.inputShape);
  switch (config.type) {
    case 'affine': {
      const units = config.units;
      const weight = { shape: [units, n], data: transpose(tensor('weight').data, n, units) };
      return onRows(layer, { python: `nn.Linear(${n}, ${units})`, tensors: { weight, bias: copy(tensor('bias')) } });
    }
    case 'scale':
      return onRows(layer, squareLinear(tensor('scale').data, new Float32Array(n)));
    case 'bias':
      return onRows(layer, squareLinear(new Float32Array(n).fill(1), tensor('bias').data));
    case 'batch-norm': {
      // PyTorch's momentum is the new value's weight, ours the old one's (rounded: 1 − 0.9 is 0.09999…).
      const momentum = Number((1 - config.momentum).toPrecision(12));
      return onRows(layer, {
        python: `nn.BatchNorm1d(${n}, eps=${config.epsilon}, momentum=${momentum})`,
        tensors: {
          weight: copy(tensor('gamma')),
          bias: copy(tensor('beta')),
          running_mean: copy(tensor('running_mean')),
          running_var: copy(tensor('running_var')),
        },
      });
    }
    case 'layer-norm':
      return {
        python: `nn.LayerNorm(${tuple(layer.inputShape)}, eps=${config.epsilon})`,
        tensors: { weight: copy(tensor('gamma')), bias: copy(tensor('beta')) },
      };
    case 'conv2d': {
      const [channels, filters] = [layer.inputShape[0], config.filters];
      const window = `kernel_size=${pair(config.kernel)}, stride=${pair(config.stride)}`;
      return {
        python: `nn.Conv2d(${channels}, ${filters}, ${window}, padding=${pair(config.padding)})`,
        tensors: { weight: copy(tensor('weight')), bias: copy(tensor('bias')) },
      };
    }
    case 'maxpool':
    case 'avgpool': {
      const name = config.type === 'maxpool' ? 'nn.MaxPool2d' : 'nn.AvgPool2d';
      return {
        python: `${name}(kernel_size=${pair(config.size)}, stride=${pair(config.stride ?? config.size)})`,
        tensors: {},
      };
    }
    case 'leaky-relu':
      return { python: `nn.LeakyReLU(${config.alpha})`, tensors: {} };
    case 'gelu':
      return { python: config.approximate === 'tanh' ? "nn.GELU(approximate='tanh')" : 'nn.GELU()', tensors: {} };
    case 'dropout':
      return { python: `nn.Dropout(p=${config.rate})`, tensors: {} };
    default:
      return { python: SIMPLE[config.type satisfies keyof typeof SIMPLE], tensors: {} };
  }
}

/**
 * A module over flat rows, for a layer that takes the input as one: on an image it is wrapped in
 * Flatten (and Unflatten back when the output is an image again), its tensors one level down.
 */
function onRows(layer: LayerDescription, module: Module): Module {
  if (layer.inputShape.length === 1) return module;
  const unflatten = layer.outputShape.length > 1 ? `, nn.Unflatten(1, ${tuple(layer.outputShape)})` : '';
  const tensors = Object.fromEntries(Object.entries(module.tensors).map(([name, t]) => [`1.${name}`, t]));
  return { python: `nn.Sequential(nn.Flatten(), ${module.python}${unflatten})`, tensors };
}

/** nn.Linear(n, n) computing x ⊙ diagonal + bias: PyTorch has no per-feature scale or bias module. */
function squareLinear(diagonal: Float32Array, bias: Float32Array): Module {
  const n = diagonal.length;
  const weight = new Float32Array(n * n);
  for (let i = 0; i < n; i++) weight[i * n + i] = diagonal[i];
  return {
    python: `nn.Linear(${n}, ${n})`,
    tensors: { weight: { shape: [n, n], data: weight }, bias: { shape: [n], data: bias.slice() } },
  };
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
