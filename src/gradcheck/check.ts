/**
 * Gradient check: backprop's gradient against a numerical one, for every element of every tensor.
 *
 * Analytic side: the float32 layers' backward, as training runs it. Numerical side: a central
 * difference (f(x + h) − f(x − h)) / 2h of a float64 twin of the same model at the same point
 * (see float64.ts for why), with h = relativeStep · max(1, |x|), relativeStep = 1e-5 by default:
 * truncation (~h²) and rounding (~1e-16 / h) errors both stay near 1e-10.
 *
 * ReLU makes a function piecewise: if a step crosses a kink the difference quotient is wrong
 * although backprop is right. Subjects report their region (which ReLU inputs are positive); a
 * step that leaves it shrinks 10× and is tried again, up to 3 times (down to h / 1000); after that
 * the element is skipped and counted in the report, never silently passed.
 *
 * Relative error per element: |a − n| / max(|a|, |n|, floor), floor = 1e-2 by default. A float32
 * backward sums terms of size ~1–10 into each gradient, so a gradient that nearly cancels carries an
 * absolute rounding error of ~1e-6 (measured up to 2e-6 on random chains): without a floor a true
 * gradient of 1e-5 would read as 20% wrong. With it, gradients below the floor are held to an
 * absolute error of floor × tolerance (1e-5 at tolerance 1e-3). Measured over 300 random chains:
 * floor 1e-2 → worst 2e-4; floor 1e-3 → worst 2e-3.
 */

/** A tensor under check: the (float64 twin's) values to nudge and the gradient backprop wrote. */
export interface CheckedTensor {
  readonly name: string;
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

export interface GradcheckSubject {
  readonly tensors: readonly CheckedTensor[];
  /** Forward only, at the current values: the scalar objective. */
  objective(): number;
  /** Forward and backward at the current values: writes d objective / d value into every `grad`. */
  backprop(): void;
  /** The piecewise-linear region the last `objective()` ran in (e.g. ReLU input signs), if any. */
  region?(): Uint8Array;
}

export interface GradcheckOptions {
  relativeStep?: number;
  floor?: number;
}

export interface TensorReport {
  readonly name: string;
  readonly size: number;
  readonly maxRelativeError: number;
  /** Where the max is, and both gradients there (index −1 if nothing was compared). */
  readonly worst: { index: number; analytic: number; numerical: number };
  /** Elements no step could keep inside one ReLU region. */
  readonly skipped: number;
}

const SHRINK = 10;
const TRIES = 4;

export function relativeError(analytic: number, numerical: number, floor: number): number {
  return Math.abs(analytic - numerical) / Math.max(Math.abs(analytic), Math.abs(numerical), floor);
}

export function gradcheck(subject: GradcheckSubject, options: GradcheckOptions = {}): TensorReport[] {
  const { relativeStep = 1e-5, floor = 1e-2 } = options;
  subject.backprop();
  // Copy: nothing promises that objective() leaves the gradients alone.
  const analytic = subject.tensors.map((t) => Float32Array.from(t.grad));
  subject.objective();
  const home = subject.region?.();

  return subject.tensors.map((tensor, t) => {
    let worst = { index: -1, analytic: 0, numerical: 0 };
    let maxRelativeError = 0;
    let skipped = 0;
    for (let i = 0; i < tensor.value.length; i++) {
      const numerical = numericalGradient(subject, tensor.value, i, relativeStep, home);
      if (numerical === null) {
        skipped++;
        continue;
      }
      const error = relativeError(analytic[t][i], numerical, floor);
      if (error > maxRelativeError || worst.index < 0) {
        maxRelativeError = Math.max(error, maxRelativeError);
        worst = { index: i, analytic: analytic[t][i], numerical };
      }
    }
    return { name: tensor.name, size: tensor.value.length, maxRelativeError, worst, skipped };
  });
}

/** d objective / d values[i] by central difference, or null if every step tried crossed a kink. */
function numericalGradient(
  subject: GradcheckSubject,
  values: Float32Array,
  i: number,
  relativeStep: number,
  home: Uint8Array | undefined,
): number | null {
  const x = values[i];
  let h = relativeStep * Math.max(1, Math.abs(x));
  try {
    for (let attempt = 0; attempt < TRIES; attempt++, h /= SHRINK) {
      values[i] = x + h;
      const up = values[i]; // the step as the array stored it
      const fUp = subject.objective();
      if (!sameRegion(subject, home)) continue;
      values[i] = x - h;
      const down = values[i];
      const fDown = subject.objective();
      if (!sameRegion(subject, home)) continue;
      return (fUp - fDown) / (up - down);
    }
    return null;
  } finally {
    values[i] = x;
  }
}

function sameRegion(subject: GradcheckSubject, home: Uint8Array | undefined): boolean {
  if (!home || !subject.region) return true;
  const now = subject.region();
  return now.length === home.length && now.every((bit, j) => bit === home[j]);
}
