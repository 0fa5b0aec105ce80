import type { RunConfig } from '../config/schema.ts';
import type { Dataset } from '../data/types.ts';
import type { RunDirectory } from '../io/run-dir.ts';
import { encodeSafetensors, weightsMetadata } from '../io/safetensors.ts';
import type { ModelPlan } from '../model/plan.ts';
import { createRng, permutation, STREAM } from '../random.ts';
import type { ArenaViews } from './arena.ts';
import { writeCheckpoint, type TrainingState } from './checkpoint.ts';
import type { Coordinator } from './coordinator.ts';
import { checkParamsFinite, checkStepFinite } from './divergence.ts';
import { learningRateAt } from './schedule.ts';
import type { EpochMetrics, StepProgress } from './metrics.ts';
import { ModelSelection } from './selection.ts';
import { weightsOf } from './weights.ts';

/** How often the step loop lets the event loop run (signal handlers, timers): latency of a stop request. */
const YIELD_MS = 50;

export interface EpochLoop {
  readonly config: RunConfig;
  readonly plan: ModelPlan;
  readonly dataset: Dataset;
  readonly views: ArenaViews;
  readonly coordinator: Coordinator;
  readonly directory: RunDirectory | null;
  readonly threads: number;
  /** A validation split is evaluated after each epoch (data.validation). */
  readonly validating: boolean;
  /** The best epoch's parameters kept by early stopping before a resume (its checkpoint's), or null. */
  readonly best: Float32Array | null;
  /** A stop request: the run finishes the current step, writes a checkpoint and returns. */
  readonly signal?: AbortSignal;
  readonly onStep?: (progress: StepProgress) => void;
  readonly onEpoch?: (metrics: EpochMetrics) => void;
}

export interface LoopResult {
  readonly state: TrainingState;
  readonly status: 'complete' | 'interrupted';
  /** Seconds spent in training steps (evaluation and checkpoints excluded). */
  readonly trainSeconds: number;
  readonly samplesTrained: number;
  /** Early stopping's state (null without train.earlyStopping). */
  readonly selection: ModelSelection | null;
}

/**
 * Runs the epochs from `start` (the beginning, or a checkpoint's state) to the config's last one.
 * The data order of epoch e depends only on (seed, e), so a resumed epoch sees the same batches.
 * A checkpoint is written at every epoch's end, mid-epoch every `checkpoint.everySteps` steps or
 * `everySeconds`, and when a stop is requested.
 */
export async function runEpochs(loop: EpochLoop, start: TrainingState): Promise<LoopResult> {
  const { config, plan, dataset, views, coordinator, directory } = loop;
  const count = dataset.train.count;
  const batchSize = Math.min(config.train.batchSize, count);
  const steps = Math.ceil(count / batchSize);
  const every = config.checkpoint;
  const optimizer = config.train.optimizer;
  const totalSteps = config.train.epochs * steps;
  let { step, lossSum, correct } = start;
  const metrics = [...start.metrics];
  const rule = config.train.earlyStopping;
  const selection = rule ? new ModelSelection(rule, plan, directory, loop.best, metrics) : null;
  // With a validation split, model selection must never see the test split: it is scored at the end.
  const testEachEpoch = dataset.test !== null && (!loop.validating || config.train.testEveryEpoch === true);
  let trainSeconds = 0;
  let samplesTrained = 0;
  let lastCheckpoint = performance.now();
  let lastYield = performance.now();
  const save = (state: TrainingState) => {
    if (!directory) return;
    const [params, optimizerState] = [coordinator.committedParams(), coordinator.committedOptimizerState()];
    writeCheckpoint(directory, state, params, optimizerState, every.keep, selection?.best ?? null);
    lastCheckpoint = performance.now();
  };

  // Resumed from the checkpoint of the epoch that stopped the run: nothing is left to train.
  const stoppedAlready = selection?.stopped ?? false;
  for (let epoch = start.epoch; epoch <= config.train.epochs && !stoppedAlready; epoch++) {
    const epochStart = performance.now();
    views.order.set(permutation(count, createRng(config.seed, STREAM.order, epoch)));
    const first = epoch === start.epoch ? start.stepInEpoch : 0;
    if (epoch !== start.epoch) [lossSum, correct] = [0, 0];
    for (let s = first; s < steps; s++) {
      const rows = Math.min(batchSize, count - s * batchSize);
      const stats = await coordinator.trainStep(step, s * batchSize, rows);
      const place = { epoch, stepInEpoch: s + 1, step: step + 1 };
      const gradientBad = coordinator.gradientNonFinite();
      checkStepFinite(plan, place, stats.lossSum, gradientBad ? views.grads : null, directory?.path);
      step++;
      coordinator.commitStep();
      lossSum += stats.lossSum;
      correct += stats.correct;
      samplesTrained += rows;
      const seen = s * batchSize + rows;
      const seconds = (performance.now() - epochStart) / 1000;
      loop.onStep?.({ epoch, step: s + 1, steps, samples: seen, loss: lossSum / seen, seconds });
      if (s + 1 === steps) break;
      const state = { epoch, stepInEpoch: s + 1, step, lossSum, correct, metrics };
      // SIGINT/SIGTERM handlers run only when the event loop polls, which a step finished within the
      // coordinator's spin (or on 1 thread) never lets it do: give it a turn every 50 ms.
      if (performance.now() - lastYield > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (loop.signal?.aborted) {
        save(state);
        trainSeconds += (performance.now() - epochStart) / 1000;
        return { state, status: 'interrupted', trainSeconds, samplesTrained, selection };
      }
      const dueBySteps = every.everySteps !== undefined && step % every.everySteps === 0;
      if (dueBySteps || performance.now() - lastCheckpoint > every.everySeconds * 1000) save(state);
    }
    const trainEnd = performance.now();
    trainSeconds += (trainEnd - epochStart) / 1000;
    checkParamsFinite(plan, { epoch, stepInEpoch: steps, step }, coordinator.committedParams(), directory?.path);
    const test = testEachEpoch ? await coordinator.evaluate('test') : null;
    const validation = loop.validating ? await coordinator.evaluate('validation') : null;
    const epochMetrics: EpochMetrics = {
      epoch,
      loss: lossSum / count,
      trainAccuracy: correct / count,
      testAccuracy: test ? test.correct / test.count : null,
      testLoss: test ? test.lossSum / test.count : null,
      ...(validation && {
        validationLoss: validation.lossSum / validation.count,
        validationAccuracy: validation.correct / validation.count,
      }),
      learningRate: learningRateAt(optimizer.schedule, optimizer.learningRate, (epoch - 1) * steps, steps, totalSteps),
      samplesPerSec: (count - first * batchSize) / ((trainEnd - epochStart) / 1000),
      seconds: (performance.now() - epochStart) / 1000,
      workers: loop.threads,
    };
    metrics.push(epochMetrics);
    directory?.appendLine('metrics.jsonl', epochMetrics);
    const weights = weightsOf(plan, coordinator.committedParams());
    directory?.writeAtomic('model.safetensors', encodeSafetensors(weights, weightsMetadata(epoch)));
    const stop = selection?.afterEpoch(metrics, coordinator.committedParams()) ?? false;
    const state = { epoch: epoch + 1, stepInEpoch: 0, step, lossSum: 0, correct: 0, metrics };
    save(state);
    loop.onEpoch?.(epochMetrics);
    if (stop) return { state, status: 'complete', trainSeconds, samplesTrained, selection };
    if (loop.signal?.aborted && epoch < config.train.epochs) {
      return { state, status: 'interrupted', trainSeconds, samplesTrained, selection };
    }
  }
  if (stoppedAlready) return { state: start, status: 'complete', trainSeconds, samplesTrained, selection };
  const state = { epoch: config.train.epochs + 1, stepInEpoch: 0, step, lossSum: 0, correct: 0, metrics };
  return { state, status: 'complete', trainSeconds, samplesTrained, selection };
}
