import type { EpochMetrics, StepProgress } from '../train/train.ts';
import { cut, fitFields, type Field } from './fit.ts';
import { formatCompact, formatCount, formatDuration, formatNumber } from './format.ts';
import type { Output } from './io.ts';
import { plural } from './words.ts';

/** Erases from the cursor to the end of the line: what a shorter redraw leaves behind. */
const CLEAR_TO_END = '\x1b[K';
const MAX_BAR = 30;
const MIN_BAR = 6;
/** No ETA before this many steps after the first (which holds the start-up) and this much time. */
const ETA_MIN_STEPS = 3;
const ETA_MIN_MS = 500;

/**
 * The live line of a run on a terminal: `loading data…` while the data is read, then per step the
 * epoch, a bar, the ETA of the run, the running loss and samples/s, redrawn in place (`\r`, at
 * most 10×/s) and always narrower than the terminal, whose width is read at every redraw. Lines
 * that stay (the start line, one per epoch) are cut to the width too.
 */
export class ProgressBar {
  private lastDraw = -Infinity;
  /** What the live line shows now (to redraw it on a resize); null once a lasting line replaced it. */
  private live: (() => string) | null = null;
  private loadingSince: number | null = null;
  /** Clock and global step at the end of the first step seen: the ETA's rate is measured from there. */
  private origin: { ms: number; step: number } | null = null;

  constructor(
    private readonly epochs: number,
    private readonly out: Output = process.stdout,
    /** Milliseconds from any fixed origin (a test passes a fake clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Columns a line may use: one fewer than the terminal's, as a line of exactly its width wraps on some. */
  get width(): number {
    return Math.max(10, (this.out.columns || 80) - 1);
  }

  /** `loading data… 2.31 s`, redrawn by each call (a timer calls it while the data loads). */
  loading(): void {
    const since = (this.loadingSince ??= this.now());
    this.show(() => {
      const seconds = (this.now() - since) / 1000;
      const fields = [{ text: 'loading data…', keep: 2 }];
      if (seconds >= 1) fields.push({ text: formatDuration(seconds), keep: 1 });
      return fitFields(fields, this.width);
    });
  }

  step(p: StepProgress): void {
    const now = this.now();
    const global = (p.epoch - 1) * p.steps + p.step;
    this.origin ??= { ms: now, step: global };
    if (p.step < p.steps && now - this.lastDraw < 100) return; // redraw at most 10×/s
    this.lastDraw = now;
    const eta = this.eta(now, global, this.epochs * p.steps);
    this.show(() => this.stepLine(p, eta));
  }

  /** An epoch's metrics on a line that stays. */
  epoch(m: EpochMetrics): void {
    this.line(fitFields(epochFields(m, this.epochs), this.width));
  }

  /** A line that stays, in place of the live line. */
  line(text: string): void {
    this.live = null;
    this.out.write(`\r${cut(text, this.width)}${CLEAR_TO_END}\n`);
  }

  /** Draws the live line again at the terminal's current width (after a resize). */
  redraw(): void {
    if (this.live) this.out.write(`\r${this.live()}${CLEAR_TO_END}`);
  }

  /** Erases the live line (before a message on stderr, or at the end); the next step draws it again. */
  clear(): void {
    if (!this.live) return;
    this.out.write(`\r${CLEAR_TO_END}`);
    this.lastDraw = -Infinity;
  }

  private show(line: () => string): void {
    this.live = line;
    this.redraw();
  }

  /**
   * Seconds left in the run at the mean pace since the first step (which holds the start-up of
   * the threads and is left out; evaluation at the end of each epoch is counted in). Null until a
   * few steps give a rate worth showing.
   */
  private eta(now: number, global: number, total: number): number | null {
    const { ms, step } = this.origin!;
    const steps = global - step;
    if (steps < ETA_MIN_STEPS || now - ms < ETA_MIN_MS) return null;
    return (((now - ms) / steps) * (total - global)) / 1000;
  }

  private stepLine(p: StepProgress, eta: number | null): string {
    const rate = p.samples / Math.max(p.seconds, 1e-9);
    const slot = '#'.repeat(MIN_BAR + 2); // the bar's place while the fields are fitted
    const fields: Field[] = [
      { text: `epoch ${p.epoch}/${this.epochs}`, keep: 9 },
      { text: slot, keep: 8 },
      { text: eta === null ? 'ETA …' : `ETA ${formatDuration(eta)}`, keep: 7 },
      { text: `loss ${formatNumber(p.loss)}`, keep: 6 },
      { text: `${formatCount(rate)} samples/s`, short: `${formatCompact(rate)}/s`, keep: 5 },
    ];
    const fitted = fitFields(fields, this.width);
    if (!fitted.includes(slot)) return fitted;
    const inner = Math.min(MAX_BAR, MIN_BAR + this.width - fitted.length);
    const filled = Math.round((p.step / p.steps) * inner);
    return fitted.replace(slot, `[${'#'.repeat(filled)}${'.'.repeat(inner - filled)}]`);
  }
}

function epochFields(m: EpochMetrics, epochs: number): Field[] {
  return [
    { text: `epoch ${m.epoch}/${epochs}`, keep: 9 },
    { text: `loss ${formatNumber(m.loss)}`, keep: 8 },
    ...scoreFields(m),
    { text: `${formatCount(m.samplesPerSec)} samples/s`, short: `${formatCompact(m.samplesPerSec)}/s`, keep: 5 },
    { text: formatDuration(m.seconds), keep: 4 },
    { text: `(${plural(m.workers, 'worker')})`, keep: 3 },
  ];
}

/** An epoch's metrics as one line, whole (for output that is not a terminal). */
export function formatEpoch(m: EpochMetrics, epochs: number): string {
  return epochFields(m, epochs)
    .map((field) => field.text)
    .join('  ');
}

/** A classifier's accuracies (train, validation, test); a regressor's mse, mae and R² (train, then test). */
function scoreFields(m: EpochMetrics): Field[] {
  const f = (value: number | null | undefined): string => (value == null ? 'n/a' : formatNumber(value));
  if (m.trainMse !== undefined) {
    const train = { text: `train mse ${f(m.trainMse)} mae ${f(m.trainMae)} R² ${f(m.trainR2)}`, keep: 6 };
    if (m.testMse == null) return [train];
    return [train, { text: `test mse ${f(m.testMse)} mae ${f(m.testMae)} R² ${f(m.testR2)}`, keep: 7 }];
  }
  const fields: Field[] = [{ text: `train acc ${f(m.trainAccuracy)}`, keep: 6 }];
  // With data.validation the test split is scored at the end only: the validation scores are the epoch's news.
  if (m.validationAccuracy !== undefined) {
    fields.push({ text: `val acc ${f(m.validationAccuracy)} loss ${f(m.validationLoss)}`, keep: 7 });
  }
  if (m.testAccuracy != null) fields.push({ text: `test acc ${f(m.testAccuracy)}`, keep: 7 });
  return fields;
}
