import type { Schedule } from '../config/techniques.ts';

/**
 * The learning rate of a (0-based, global) step under a schedule: a pure function of the step, so
 * every thread that updates a range of the parameters computes the same value, and any step can
 * be reproduced on its own. `stepsPerEpoch` = ⌈training samples / batch size⌉, `totalSteps` =
 * epochs × stepsPerEpoch (the cosine's span).
 *
 * Warmup (W steps, optional with every schedule): step s < W runs at baseLr·(s + 1)/W, so the last
 * warmup step reaches baseLr. The schedule's own clock t starts at 0 when the warmup ends:
 *   constant     baseLr
 *   step         baseLr · gamma^⌊u / every⌋        u = t in steps, or t's epoch ⌊t / stepsPerEpoch⌋
 *   exponential  baseLr · gamma^u                   u as above
 *   cosine       baseLr · (m + (1 − m)·½(1 + cos(π·t / (totalSteps − W))))   m = minFactor
 * The cosine reaches baseLr·m at t = totalSteps − W, one step after the run's last (as PyTorch's
 * CosineAnnealingLR with T_max = the run, and the usual warmup-then-cosine schedules).
 */
export function learningRateAt(
  schedule: Schedule | undefined,
  baseLr: number,
  step: number,
  stepsPerEpoch: number,
  totalSteps: number,
): number {
  if (!Number.isInteger(step) || step < 0) throw new Error(`learningRateAt: step ${step} is not an integer ≥ 0`);
  if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1) {
    throw new Error(`learningRateAt: ${stepsPerEpoch} steps per epoch`);
  }
  if (!schedule) return baseLr;
  const warmup = warmupSteps(schedule, stepsPerEpoch);
  if (step < warmup) return (baseLr * (step + 1)) / warmup;
  const t = step - warmup;
  const clock = (unit: 'epochs' | 'steps') => (unit === 'steps' ? t : Math.floor(t / stepsPerEpoch));
  switch (schedule.type) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * schedule.gamma ** Math.floor(clock(schedule.unit) / schedule.every);
    case 'exponential':
      return baseLr * schedule.gamma ** clock(schedule.unit);
    case 'cosine': {
      const span = totalSteps - warmup;
      if (span <= 0) return baseLr;
      const m = schedule.minFactor;
      return baseLr * (m + (1 - m) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, span)) / span)));
    }
  }
}

/** Length of the schedule's warmup in steps (0 without one). */
export function warmupSteps(schedule: Schedule, stepsPerEpoch: number): number {
  if (!schedule.warmup) return 0;
  return schedule.warmup.steps ?? (schedule.warmup.epochs ?? 0) * stepsPerEpoch;
}
