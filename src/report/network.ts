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
  /** The per-sample output shape when model.json gives it ([channels, height, width] for an image). */
  readonly outputShape: readonly number[] | null;
  /** learned: false for state such as batch norm's running statistics (not counted as parameters). */
  readonly tensors: ReadonlyArray<{ name: string; shape: readonly number[]; count: number; learned: boolean }>;
  readonly parameters: number;
}

export interface NetworkView {
  readonly inputs: number | null;
  readonly inputShape: readonly number[] | null;
  readonly layers: readonly LayerView[];
  readonly loss: string | null;
  readonly parameters: number;
}

/** Input widths of the data sources whose width the config alone tells. */
const KNOWN_INPUTS: Record<string, number> = { mnist: 784, synthetic: 2 };

/**
 * `described` is the run's model.json: its layers' shapes are the plan's own (an image layer's
 * output is not guessed from a tensor's leading dimension, which for a conv2d is its filters).
 * Without it (a run from before model.json), widths are inferred from the weights or the config.
 */
export function describeNetwork(
  config: Record<string, unknown>,
  tensors: TensorHeader | null,
  described: Record<string, unknown> | null = null,
): NetworkView {
  const model = isObject(config.model) ? config.model : {};
  const layers = (Array.isArray(model.layers) ? model.layers : []).map((l) => (isObject(l) ? l : {}));
  const planned = plannedLayers(described, layers.length);
  const inputs = planned ? size(planned[0]?.inputShape) : (inputWidth(layers, tensors) ?? knownInputWidth(config.data));
  let width = inputs;
  const views = layers.map((layer, index): LayerView => {
    const type = typeof layer.type === 'string' ? layer.type : '?';
    const learned = (name: string) => !planned || planned[index].params.has(`layers.${index}.${name}`);
    const shapes = (tensors ? tensorsOf(tensors, index) : configTensors(layer, width)).map((t) => ({
      ...t,
      learned: learned(t.name),
    }));
    const outputs = planned
      ? size(planned[index].outputShape)
      : type === 'affine'
        ? (numberOr(layer.units) ?? shapes[0]?.shape[1] ?? null)
        : width;
    const view = {
      index,
      type,
      detail: layerDetail(layer),
      inputs: width,
      outputs,
      outputShape: planned ? planned[index].outputShape : null,
      tensors: shapes,
      parameters: shapes.reduce((sum, t) => sum + (t.learned ? t.count : 0), 0),
    };
    width = outputs;
    return view;
  });
  return {
    inputs,
    inputShape: planned ? planned[0]?.inputShape : null,
    layers: views,
    loss: typeof model.loss === 'string' ? model.loss : null,
    parameters: views.reduce((sum, l) => sum + l.parameters, 0),
  };
}

interface PlannedLayer {
  inputShape: readonly number[];
  outputShape: readonly number[];
  /** Names of the layer's learned tensors (`layers.0.weight`). */
  params: ReadonlySet<string>;
}

/** model.json's layers when they describe this config's layers (one each, with shapes); else null. */
function plannedLayers(described: Record<string, unknown> | null, count: number): PlannedLayer[] | null {
  const layers = described && Array.isArray(described.layers) ? described.layers : null;
  if (!layers || layers.length !== count || count === 0) return null;
  const planned: PlannedLayer[] = [];
  for (const layer of layers) {
    if (!isObject(layer) || !isShape(layer.inputShape) || !isShape(layer.outputShape)) return null;
    const params = Array.isArray(layer.params) ? layer.params : [];
    const names = params.flatMap((p) => (isObject(p) && typeof p.name === 'string' ? [p.name] : []));
    planned.push({ inputShape: layer.inputShape, outputShape: layer.outputShape, params: new Set(names) });
  }
  return planned;
}

const isShape = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n) && n > 0);

const size = (shape: readonly number[] | undefined): number | null => (shape ? shape.reduce((a, b) => a * b, 1) : null);

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
