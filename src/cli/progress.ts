import type { EpochMetrics, StepProgress } from '../train/train.ts';
import type { Output } from './io.ts';
import { plural } from './words.ts';

const BAR_WIDTH = 24;

/** A one-line progress bar per epoch for a terminal: samples/s, running loss, ETA. */
export class ProgressBar {
  private lastDraw = -Infinity;

  constructor(
    private readonly epochs: number,
    private readonly out: Output = process.stdout,
    /** Milliseconds from any fixed origin (a test passes a fake clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  step(p: StepProgress): void {
    const now = this.now();
    if (p.step < p.steps && now - this.lastDraw < 100) return; // redraw at most 10×/s
    this.lastDraw = now;
    const done = p.step / p.steps;
    const filled = Math.round(done * BAR_WIDTH);
    const rate = p.samples / Math.max(p.seconds, 1e-9);
    const eta = p.seconds * (1 / done - 1);
    this.out.write(
      `\repoch ${p.epoch}/${this.epochs} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` +
        `${Math.round(rate)} samples/s  loss ${p.loss.toFixed(4)}  ETA ${eta.toFixed(1)}s   `,
    );
  }

  epoch(m: EpochMetrics): void {
    this.out.write(`\r${formatEpoch(m, this.epochs)}${' '.repeat(20)}\n`);
  }
}

export function formatEpoch(m: EpochMetrics, epochs: number): string {
  return (
    `epoch ${m.epoch}/${epochs}  loss ${m.loss.toFixed(4)}  ${scoreText(m)}  ` +
    `${Math.round(m.samplesPerSec)} samples/s  ${m.seconds.toFixed(2)}s  (${plural(m.workers, 'worker')})`
  );
}

/** A classifier's accuracies; a regressor's mse, mae and R² (train, then test). */
function scoreText(m: EpochMetrics): string {
  if (m.trainMse !== undefined) {
    const test =
      m.testMse == null ? '' : `  test mse ${fixed(m.testMse)} mae ${fixed(m.testMae)} R² ${fixed(m.testR2)}`;
    return `train mse ${fixed(m.trainMse)} mae ${fixed(m.trainMae)} R² ${fixed(m.trainR2)}${test}`;
  }
  const test = m.testAccuracy == null ? '' : `  test acc ${m.testAccuracy.toFixed(4)}`;
  return `train acc ${fixed(m.trainAccuracy)}${test}`;
}

const fixed = (value: number | null | undefined): string => (value == null ? 'n/a' : value.toFixed(4));
