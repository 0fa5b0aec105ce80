/**
 * loadModel(runDir): a run directory's model.json and model.safetensors, checked against each other,
 * as a LoadedModel — no config needed. The layers are rebuilt from model.json through the same
 * schema and registry as training; every tensor must have the name and shape model.json gives it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { modelSchema } from '../config/model-schema.ts';
import { errors, UserError } from '../errors.ts';
import { describeCause } from '../io/fs-errors.ts';
import { parseSafetensors, SafetensorsError, SHARDPROP_LAYOUT, type NamedTensor } from '../io/safetensors.ts';
import { planModel, type ModelPlan } from '../model/plan.ts';
import { DEFAULT_BLOCK_ROWS, type KernelName } from './engine.ts';
import { LoadedModel } from './loaded-model.ts';
import { MODEL_FILE, readModelDescription, WEIGHTS_FILE, type ModelDescription } from './model-json.ts';

export interface LoadModelOptions {
  /** Default: the kernels the model was trained on (model.json), so predictions repeat training's bit for bit. */
  readonly kernels?: KernelName;
  /** Rows per forward block (default 256): memory for one block, whatever the number of rows. */
  readonly blockRows?: number;
}

export function loadModel(runDir: string, options: LoadModelOptions = {}): LoadedModel {
  const description = readDescription(runDir);
  const modelPath = join(runDir, MODEL_FILE);
  const plan = planOf(description, modelPath);
  const params = readWeights(join(runDir, WEIGHTS_FILE), plan);
  return new LoadedModel(
    description,
    plan,
    params,
    options.kernels ?? description.kernels,
    options.blockRows ?? DEFAULT_BLOCK_ROWS,
  );
}

function readDescription(runDir: string): ModelDescription {
  const kind = entryKind(runDir);
  if (kind === 'absent') throw errors.runDirectoryNotFound(runDir);
  if (kind !== 'directory') throw errors.notARunDirectory(runDir);
  const path = join(runDir, MODEL_FILE);
  if (entryKind(path) === 'absent') {
    throw new UserError(
      `✖ no ${MODEL_FILE}: not a run directory, or a run of a shardprop too old to describe its model → at ${runDir}`,
    );
  }
  return readModelDescription(path);
}

function entryKind(path: string): 'absent' | 'directory' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw new UserError(`✖ cannot read: ${describeCause(error)} → at ${path}`);
  }
}

/** The model plan model.json's layers give, checked against the shapes model.json states. */
export function planOf(description: ModelDescription, path: string): ModelPlan {
  const config = modelSchema.parse({ layers: description.layers.map((l) => l.config), loss: description.loss });
  const plan = planModel(config, description.input.shape);
  const problem = (where: string, what: string) => new UserError(`✖ ${what} → at ${path} ${where}`);
  if (plan.inputs !== description.input.features) {
    throw problem('input.features', `input shape [${description.input.shape}] has ${plan.inputs} features`);
  }
  description.layers.forEach((layer, i) => {
    const input = i === 0 ? plan.inputShape : plan.shapes[i - 1];
    if (layer.type !== layer.config.type)
      throw problem(`layers.${i}.type`, `type ${layer.type} but config.type ${layer.config.type}`);
    if (!same(layer.inputShape, input))
      throw problem(`layers.${i}.inputShape`, `[${layer.inputShape}], the layers give [${input}]`);
    if (!same(layer.outputShape, plan.shapes[i])) {
      throw problem(`layers.${i}.outputShape`, `[${layer.outputShape}], the layer gives [${plan.shapes[i]}]`);
    }
    const expected = plan.params.filter((p) => p.layer === i);
    const names = (list: readonly { name: string; shape: readonly number[] }[]) =>
      list.map((p) => `${p.name} [${p.shape}]`).join(', ') || 'none';
    if (
      expected.length !== layer.params.length ||
      expected.some((p, k) => p.name !== layer.params[k].name || !same(p.shape, layer.params[k].shape))
    ) {
      throw problem(`layers.${i}.params`, `${names(layer.params)}, the layer has ${names(expected)}`);
    }
  });
  if (plan.outputs !== description.outputs)
    throw problem('outputs', `${description.outputs}, the layers give ${plan.outputs}`);
  return plan;
}

/** The flat parameter vector of `plan` from a safetensors file holding exactly its tensors. */
function readWeights(path: string, plan: ModelPlan): Float32Array {
  const fail = (what: string) => new UserError(`✖ model weights: ${what} → at ${path}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail('not there (has the run finished an epoch?)');
    throw fail(`cannot read: ${describeCause(error)}`);
  }
  let tensors: Record<string, NamedTensor>;
  let metadata: Readonly<Record<string, string>> | null;
  try {
    ({ tensors, metadata } = parseSafetensors(bytes));
  } catch (error) {
    if (error instanceof SafetensorsError) throw fail(error.message);
    throw error;
  }
  if (metadata?.layout !== undefined && metadata.layout !== SHARDPROP_LAYOUT) {
    throw fail(
      `weights in layout "${metadata.layout}" (an export for another framework?), not shardprop's ${SHARDPROP_LAYOUT}`,
    );
  }
  const params = new Float32Array(plan.paramCount);
  for (const p of plan.params) {
    const tensor = tensors[p.name];
    if (!tensor) throw fail(`no tensor ${p.name} (model.json's layers need it, shape [${p.shape}])`);
    if (!same(tensor.shape, p.shape)) throw fail(`${p.name} has shape [${tensor.shape}], model.json says [${p.shape}]`);
    const bad = tensor.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw fail(`${p.name}[${bad}] is ${tensor.data[bad]}`);
    params.set(tensor.data, p.offset);
  }
  const extra = Object.keys(tensors).filter((name) => !plan.params.some((p) => p.name === name));
  if (extra.length > 0) throw fail(`tensors model.json does not describe: ${extra.join(', ')}`);
  return params;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
