/**
 * The run stops, naming where, when training diverges: a non-finite loss or reduced gradient after
 * a step, or parameters an update made non-finite (a next step would see it, but after an epoch's
 * last step nothing does: such weights are never checkpointed or returned).
 */
import { errors, type StepPlace } from '../errors.ts';
import type { ModelPlan, ParamPlacement } from '../model/plan.ts';

/** `badGradient`: the reduced gradient when the step flagged a NaN or ±Inf in it, else null. */
export function checkStepFinite(
  plan: ModelPlan,
  place: StepPlace,
  lossSum: number,
  badGradient: Float32Array | null,
  dir?: string,
) {
  if (Number.isFinite(lossSum) && !badGradient) return;
  const bad = badGradient && nonFinite(plan, badGradient);
  const where = bad ? `the gradient of ${describe(plan, bad)}` : `the loss (${plan.config.loss})`;
  const what = Number.isFinite(lossSum) ? 'a non-finite gradient' : `a non-finite loss (${lossSum})`;
  throw errors.diverged(place, `${what} in ${where}`, dir);
}

export function checkParamsFinite(plan: ModelPlan, place: StepPlace, params: Float32Array, dir?: string) {
  const bad = nonFinite(plan, params);
  if (bad) throw errors.diverged(place, `the update made ${describe(plan, bad)} non-finite`, dir);
}

function nonFinite(plan: ModelPlan, vector: Float32Array): ParamPlacement | undefined {
  return plan.params.find((p) => vector.subarray(p.offset, p.offset + p.size).some((v) => !Number.isFinite(v)));
}

function describe(plan: ModelPlan, p: ParamPlacement): string {
  return `${p.name} (layer ${p.layer}, ${plan.config.layers[p.layer].type})`;
}
