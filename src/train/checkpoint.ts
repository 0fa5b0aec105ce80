import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, safetensorsMetadata, type NamedTensor } from '../io/safetensors.ts';
import type { RunDirectory } from '../io/run-dir.ts';
import type { EpochMetrics } from './metrics.ts';

/**
 * The whole training state at a step boundary, so a run continues exactly where it stopped: the
 * committed parameters and optimizer state (momentum, AdaGrad/Adam accumulators), where in the
 * run it is, the current epoch's partial sums and the metrics so far. Adam's step count and the
 * data order follow from `step` and (seed, epoch), so the resumed steps do the same arithmetic.
 */
export interface TrainingState {
  /** The epoch in progress (1-based); `stepInEpoch` of its steps are done. */
  readonly epoch: number;
  readonly stepInEpoch: number;
  /** Steps done over the whole run. */
  readonly step: number;
  /** The epoch's loss sum and correct count so far, in step order (float64, exact in JSON). */
  readonly lossSum: number;
  readonly correct: number;
  readonly metrics: readonly EpochMetrics[];
}

export interface Checkpoint {
  readonly state: TrainingState;
  readonly params: Float32Array;
  readonly optimizerState: readonly Float32Array[];
  /** The best epoch's parameters so far (train.earlyStopping), or null. */
  readonly best: Float32Array | null;
  readonly file: string;
}

const FOLDER = 'checkpoints';
const NAME = /^step-(\d+)\.safetensors$/;
const FORMAT = 'shardprop-checkpoint-1';

export function encodeCheckpoint(
  state: TrainingState,
  params: Float32Array,
  optimizerState: readonly Float32Array[],
  best: Float32Array | null = null,
) {
  const tensors: Record<string, NamedTensor> = { params: { shape: [params.length], data: params } };
  optimizerState.forEach((data, j) => (tensors[`optimizer.${j}`] = { shape: [data.length], data }));
  if (best) tensors.best = { shape: [best.length], data: best };
  return encodeSafetensors(tensors, { format: FORMAT, state: JSON.stringify(state) });
}

/** Decodes a checkpoint of a model with `paramCount` parameters and `stateCount` optimizer vectors. */
export function decodeCheckpoint(bytes: Uint8Array, paramCount: number, stateCount: number, file: string): Checkpoint {
  const metadata = safetensorsMetadata(bytes);
  if (metadata.format !== FORMAT) throw new Error(`${file} is not a shardprop checkpoint`);
  const tensors = decodeSafetensors(bytes);
  const vector = (name: string) => {
    const t = tensors[name];
    if (t?.data.length !== paramCount) throw new Error(`${file}: ${name} does not hold ${paramCount} values`);
    return t.data;
  };
  const optimizerState = Array.from({ length: stateCount }, (_, j) => vector(`optimizer.${j}`));
  const best = tensors.best ? vector('best') : null;
  return { state: JSON.parse(metadata.state) as TrainingState, params: vector('params'), optimizerState, best, file };
}

/**
 * Writes the state as `checkpoints/step-N.safetensors` (atomically and durably) and then removes
 * all but the newest `keep`: the old ones go only once the new one is safe.
 */
export function writeCheckpoint(
  directory: RunDirectory,
  state: TrainingState,
  params: Float32Array,
  optimizerState: readonly Float32Array[],
  keep: number,
  best: Float32Array | null = null,
): void {
  directory.writeAtomic(
    `${FOLDER}/step-${String(state.step).padStart(9, '0')}.safetensors`,
    encodeCheckpoint(state, params, optimizerState, best),
  );
  for (const name of checkpointNames(directory.path).slice(keep)) directory.remove(`${FOLDER}/${name}`);
}

/** The newest readable checkpoint of the run in `dir`, or null; unreadable ones are reported and skipped. */
export function latestCheckpoint(
  dir: string,
  paramCount: number,
  stateCount: number,
  warn: (message: string) => void,
): Checkpoint | null {
  for (const name of checkpointNames(dir)) {
    const file = join(dir, FOLDER, name);
    try {
      return decodeCheckpoint(readFileSync(file), paramCount, stateCount, file);
    } catch (error) {
      warn(`skipping ${file}: ${(error as Error).message}`);
    }
  }
  return null;
}

/** Checkpoint file names, newest (highest step) first. */
function checkpointNames(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, FOLDER));
  } catch {
    return [];
  }
  return names.filter((n) => NAME.test(n)).sort((a, b) => Number(NAME.exec(b)![1]) - Number(NAME.exec(a)![1]));
}
