import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { scheduleSchema } from '../../src/config/techniques.ts';
import { learningRateAt } from '../../src/train/schedule.ts';

const s = suite('learning-rate schedules, by hand');

const BASE = 0.1;
/** Learning rates of the given steps under a schedule config (defaults filled by the schema). */
function rates(config: unknown, steps: number[], stepsPerEpoch = 10, totalSteps = 100): number[] {
  const schedule = scheduleSchema.parse(config);
  return steps.map((step) => learningRateAt(schedule, BASE, step, stepsPerEpoch, totalSteps));
}

function close(actual: number[], expected: number[]) {
  assert.is(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-15, `step ${i}: ${a}, expected ${expected[i]}`));
}

s('no schedule and constant: the base learning rate at every step', () => {
  for (const step of [0, 1, 99, 1e6]) assert.is(learningRateAt(undefined, BASE, step, 10, 100), BASE);
  close(rates({ type: 'constant' }, [0, 50, 99]), [BASE, BASE, BASE]);
});

// every 2 epochs × 0.1, 10 steps per epoch: steps 0–19 → 0.1, 20–39 → 0.01, 40–59 → 0.001.
s('step: × gamma every `every` epochs (default gamma 0.1), or every `every` steps', () => {
  close(rates({ type: 'step', every: 2 }, [0, 19, 20, 39, 40]), [0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.01]);
  // every 3 steps × 0.5: steps 0–2 → 0.1, 3–5 → 0.05, 6 → 0.025.
  close(rates({ type: 'step', every: 3, unit: 'steps', gamma: 0.5 }, [0, 2, 3, 5, 6]), [0.1, 0.1, 0.05, 0.05, 0.025]);
});

// gamma 0.5 per epoch, 4 steps per epoch: steps 0–3 → 0.1, 4–7 → 0.05, 8 → 0.025. Per step: step 3 → 0.1 · 0.5³.
s('exponential: × gamma per epoch (constant within an epoch), or per step', () => {
  close(rates({ type: 'exponential', gamma: 0.5 }, [0, 3, 4, 7, 8], 4), [0.1, 0.1, 0.05, 0.05, 0.025]);
  close(rates({ type: 'exponential', gamma: 0.5, unit: 'steps' }, [0, 1, 3]), [0.1, 0.05, 0.0125]);
});

// 100 steps: lr = 0.1 · ½(1 + cos(π·s/100)): s = 25 → 0.1 · (1 + cos(π/4))/2 = 0.1 · 0.8535533905932737,
// s = 50 → 0.05, s = 99 → 0.1 · (1 + cos(0.99π))/2 = 0.1 · 0.0002467198171342. minFactor 0.1: s = 50 → 0.1 · 0.55.
s('cosine: half a cosine from the base down to base · minFactor over the run', () => {
  close(rates({ type: 'cosine' }, [0, 25, 50, 99]), [0.1, 0.1 * 0.8535533905932737, 0.05, 0.1 * 0.0002467198171342]);
  close(rates({ type: 'cosine', minFactor: 0.1 }, [0, 50, 100]), [0.1, 0.1 * 0.55, 0.1 * 0.1]);
});

// Warmup 4 steps: (s + 1)/4 of the base for s = 0..3, then the schedule from its own step 0.
s('warmup alone: a linear climb to the base over W steps', () => {
  close(rates({ type: 'constant', warmup: { steps: 4 } }, [0, 1, 2, 3, 4, 50]), [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
});

// Warmup 10 steps then cosine over the remaining 100 of 110: step 9 → 0.1, step 10 (t = 0) → 0.1,
// step 60 (t = 50 of 100) → 0.05, step 35 (t = 25) → 0.1 · 0.8535533905932737.
s('warmup + cosine: the cosine spans the steps after the warmup', () => {
  close(rates({ type: 'cosine', warmup: { steps: 10 } }, [0, 9, 10, 35, 60], 10, 110), [
    0.01,
    0.1,
    0.1,
    0.1 * 0.8535533905932737,
    0.05,
  ]);
});

// Warmup 1 epoch (10 steps), then × 0.5 every epoch counted from the end of the warmup:
// steps 0–9 warmup, 10–19 → 0.1, 20–29 → 0.05, 30 → 0.025.
s('warmup in epochs + step decay: the decay clock starts when the warmup ends', () => {
  close(
    rates({ type: 'step', every: 1, gamma: 0.5, warmup: { epochs: 1 } }, [0, 4, 9, 10, 19, 20, 30]),
    [0.01, 0.05, 0.1, 0.1, 0.1, 0.05, 0.025],
  );
  // Warmup + exponential per step: step 5 → t = 3 → 0.1 · 0.9³.
  close(rates({ type: 'exponential', gamma: 0.9, unit: 'steps', warmup: { steps: 2 } }, [0, 1, 2, 5]), [
    0.05,
    0.1,
    0.1,
    0.1 * 0.9 ** 3,
  ]);
});

s('a warmup as long as the run never decays the cosine; bad steps are errors', () => {
  close(rates({ type: 'cosine', warmup: { steps: 100 } }, [99, 100]), [0.1, 0.1]);
  assert.throws(() => learningRateAt(undefined, BASE, -1, 10, 100), /step -1 is not an integer ≥ 0/);
  assert.throws(() => learningRateAt(undefined, BASE, 1.5, 10, 100), /step 1.5/);
  assert.throws(() => learningRateAt(undefined, BASE, 0, 0, 100), /0 steps per epoch/);
});

s('the schema: defaults filled, a warmup needs exactly one of steps and epochs, gamma in (0, 1]', () => {
  assert.equal(scheduleSchema.parse({ type: 'step', every: 5 }), {
    type: 'step',
    every: 5,
    unit: 'epochs',
    gamma: 0.1,
  });
  assert.equal(scheduleSchema.parse({ type: 'cosine' }), { type: 'cosine', minFactor: 0 });
  const issue = (config: unknown) => scheduleSchema.safeParse(config).error?.issues[0];
  assert.match(issue({ type: 'constant', warmup: { steps: 2, epochs: 1 } })!.message, /`steps` or as `epochs`/);
  assert.match(issue({ type: 'constant', warmup: {} })!.message, /`steps` or as `epochs`/);
  assert.equal(issue({ type: 'exponential', gamma: 1.5 })!.path, ['gamma']);
  assert.equal(issue({ type: 'exponential' })!.path, ['gamma']);
  assert.equal(issue({ type: 'cosine', minFactor: 2 })!.path, ['minFactor']);
  assert.equal(issue({ type: 'linear' })!.path, ['type']);
});

s.run();
