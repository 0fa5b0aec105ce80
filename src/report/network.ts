import { isObject } from './run-files.ts';
import type { TensorHeader } from './tensor-header.ts';

/**
 * The network as the report draws it: each layer of config.model.layers with its input and output
 * width and its parameter tensors. Shapes come from the weights file's header when there is one
 * (what was really trained and saved), else from the config alone.
 */
export interface LayerView {
  readonly index: number;
  readonly type: string;
  /** Settings worth showing next to the type, e.g. `init normal (std 0.01)`. */
  readonly detail: string;
  readonly inputs: number | null;
  readonly outputs: number | null;
  readonly tensors: ReadonlyArray<{ name: string; shape: readonly number[]; count: number }>;
  readonly parameters: number;
}

export interface NetworkView {
  readonly inputs: number | null;
  readonly layers: readonly LayerView[];
  readonly loss: string | null;
  readonly parameters: number;
}

/** Input widths of the data sources whose width the config alone tells. */
const KNOWN_INPUTS: Record<string, number> = { mnist: 784, synthetic: 2 };

export function describeNetwork(config: Record<string, unknown>, tensors: TensorHeader | null): NetworkView {
  const model = isObject(config.model) ? config.model : {};
  const layers = (Array.isArray(model.layers) ? model.layers : []).map((l) => (isObject(l) ? l : {}));
  const inputs = inputWidth(layers, tensors) ?? knownInputWidth(config.data);
  let width = inputs;
  const views = layers.map((layer, index): LayerView => {
    const type = typeof layer.type === 'string' ? layer.type : '?';
    const shapes = tensors ? tensorsOf(tensors, index) : configTensors(layer, width);
    const outputs = type === 'affine' ? (numberOr(layer.units) ?? shapes[0]?.shape[1] ?? null) : width;
    const view = {
      index,
      type,
      detail: layerDetail(layer),
      inputs: width,
      outputs,
      tensors: shapes,
      parameters: shapes.reduce((sum, t) => sum + t.count, 0),
    };
    width = outputs;
    return view;
  });
  return {
    inputs,
    layers: views,
    loss: typeof model.loss === 'string' ? model.loss : null,
    parameters: views.reduce((sum, l) => sum + l.parameters, 0),
  };
}

/** The first parameter tensor's leading dimension is the width entering its layer, and so the network's input width. */
function inputWidth(layers: ReadonlyArray<Record<string, unknown>>, tensors: TensorHeader | null): number | null {
  if (!tensors) return null;
  for (let i = 0; i < layers.length; i++) {
    const first = tensorsOf(tensors, i)[0];
    if (first) return first.shape[0] ?? null;
  }
  return null;
}

function knownInputWidth(data: unknown): number | null {
  return isObject(data) && typeof data.source === 'string' ? (KNOWN_INPUTS[data.source] ?? null) : null;
}

function tensorsOf(tensors: TensorHeader, index: number) {
  const prefix = `layers.${index}.`;
  return [...tensors]
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, shape]) => ({ name: name.slice(prefix.length), shape, count: shape.reduce((a, b) => a * b, 1) }));
}

/** The same shapes src/model/plan.ts lays out, for a run whose weights file is not there. */
function configTensors(layer: Record<string, unknown>, inputs: number | null) {
  const units = numberOr(layer.units);
  const shapes: Array<[string, number[]]> =
    inputs === null
      ? []
      : layer.type === 'affine' && units !== null
        ? [
            ['weight', [inputs, units]],
            ['bias', [units]],
          ]
        : layer.type === 'mul'
          ? [['scale', [inputs]]]
          : layer.type === 'add'
            ? [['bias', [inputs]]]
            : [];
  return shapes.map(([name, shape]) => ({ name, shape, count: shape.reduce((a, b) => a * b, 1) }));
}

function layerDetail(layer: Record<string, unknown>): string {
  if (layer.type !== 'affine' || typeof layer.init !== 'string') return '';
  return layer.init === 'normal' && typeof layer.std === 'number'
    ? `init normal (std ${layer.std})`
    : `init ${layer.init}`;
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
