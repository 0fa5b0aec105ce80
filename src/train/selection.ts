import type { EarlyStopping } from '../config/techniques.ts';
import type { RunDirectory } from '../io/run-dir.ts';
import { encodeSafetensors, weightsMetadata } from '../io/safetensors.ts';
import type { ModelPlan } from '../model/plan.ts';
import { earlyStoppingState, type EarlyStoppingState } from './early-stopping.ts';
import type { EpochMetrics, TrainSummary } from './metrics.ts';
import { weightsOf } from './weights.ts';

/** What early stopping decided, for summary.json (absent without train.earlyStopping). */
export interface SelectionSummary {
  bestEpoch: number | null;
  bestValue: number | null;
  stoppedEarly: boolean;
}

/**
 * Early stopping (train.earlyStopping) over a run: after each epoch, the rule over the metric's
 * series so far (early-stopping.ts). An improving epoch's weights are kept — in memory, in the
 * checkpoints (so a resumed run still has them) and as model.best.safetensors. The decision is a
 * pure function of the logged metrics, which the checkpoints carry: a resumed run stops at the
 * epoch the uninterrupted one stops at.
 */
export class ModelSelection {
  private decision: EarlyStoppingState | null = null;

  constructor(
    private readonly rule: EarlyStopping,
    private readonly plan: ModelPlan,
    private readonly directory: RunDirectory | null,
    /** The best epoch's parameters so far (from the checkpoint when resuming). */
    public best: Float32Array | null,
    metrics: readonly EpochMetrics[],
  ) {
    if (metrics.length > 0) this.decision = this.decide(metrics);
  }

  /** True when the epochs so far already say stop (a run resumed from its last checkpoint). */
  get stopped(): boolean {
    return this.decision?.stop ?? false;
  }

  /** After epoch `metrics.at(-1)`: keeps its weights if it is the new best; true to stop the run. */
  afterEpoch(metrics: readonly EpochMetrics[], params: Float32Array): boolean {
    this.decision = this.decide(metrics);
    if (this.decision.improved) {
      this.best = params.slice();
      const epoch = metrics.length;
      const bytes = encodeSafetensors(weightsOf(this.plan, this.best), weightsMetadata(epoch));
      this.directory?.writeAtomic('model.best.safetensors', bytes);
    }
    return this.decision.stop;
  }

  /** `epochsRun` of `epochs` configured: a stop decided after the last epoch ended nothing early. */
  summary(epochsRun: number, epochs: number): SelectionSummary {
    const { bestEpoch = null, bestValue = null, stop = false } = this.decision ?? {};
    return { bestEpoch, bestValue, stoppedEarly: stop && epochsRun < epochs };
  }

  private decide(metrics: readonly EpochMetrics[]): EarlyStoppingState {
    const metric = this.rule.metric;
    return earlyStoppingState(
      metrics.map((m) => m[metric] ?? null),
      this.rule,
    );
  }
}

/**
 * What early stopping did, for the end of the `done:` line: `; stopped early, best epoch 4
 * (validationLoss 0.3121, model.best.safetensors, test accuracy 0.9)`; empty without it.
 */
export function selectionNote(summary: TrainSummary, metric: string | undefined): string {
  if (summary.bestEpoch === undefined || metric === undefined) return '';
  const value = summary.bestValue === null || summary.bestValue === undefined ? 'n/a' : summary.bestValue.toFixed(4);
  const test = summary.bestTestAccuracy === undefined ? '' : `, test accuracy ${summary.bestTestAccuracy}`;
  const stopped = summary.stoppedEarly ? 'stopped early, ' : '';
  return `; ${stopped}best epoch ${summary.bestEpoch ?? 'none'} (${metric} ${value}, model.best.safetensors${test})`;
}
