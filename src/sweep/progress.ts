import { formatNumber, shortLabels } from './rank.ts';
import type { TrialResult } from './results.ts';
import type { RankMetric } from './schema.ts';
import type { Trial } from './trials.ts';

export interface RunningTrial {
  id: string;
  worker: string;
  /** Epochs finished so far. */
  epoch: number;
  epochs: number;
}

export interface ProgressOutput {
  write(text: string): void;
  /** A terminal: the status line is redrawn in place; otherwise it is printed when it changes, now and then. */
  readonly isTTY: boolean;
  /** The terminal's width: a status line redrawn in place must not wrap. */
  readonly columns?: number;
}

/** How often a changed status line is printed when the output is not a terminal. */
const PLAIN_STATUS_MS = 5000;

/**
 * What a sweep shows while it runs: a line per finished trial (its values and metric, or its error),
 * and a status line: done / running / failed / waiting, and what each worker is training.
 */
export class SweepProgress {
  private readonly running = new Map<string, RunningTrial>();
  private readonly donePerWorker = new Map<string, number>();
  private done = 0;
  private failed = 0;
  private waiting: number | null = null;
  private statusShown = '';
  private lastPlainStatus = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly total: number,
    private readonly metric: RankMetric,
    reused: number,
    /** `lr=0.1 units=50 seed=42`: a trial's values, named as in the ranked table. */
    private readonly describe: (trial: Trial) => string,
  ) {
    this.done = reused;
  }

  started(id: string, worker: string, epochs: number): void {
    this.running.set(id, { id, worker, epoch: 0, epochs });
    this.showStatus();
  }

  epoch(id: string, epoch: number): void {
    const trial = this.running.get(id);
    if (trial) trial.epoch = epoch;
    this.showStatus();
  }

  /** Replaces the running trials (a queue's active jobs) and the number waiting. */
  observe(running: readonly RunningTrial[], waiting: number): void {
    this.running.clear();
    for (const trial of running) this.running.set(trial.id, trial);
    this.waiting = waiting;
    this.showStatus();
  }

  finished(trial: Trial, result: TrialResult): void {
    this.running.delete(trial.id);
    if (result.status === 'done') this.done++;
    else this.failed++;
    if (result.worker) this.donePerWorker.set(result.worker, (this.donePerWorker.get(result.worker) ?? 0) + 1);
    const count = `[${this.done + this.failed}/${this.total}]`;
    const by = result.worker ? ` (${result.worker})` : '';
    const value = result.value === null ? 'n/a' : formatNumber(result.value);
    const error = result.error?.split('\n')[0].replace(/^✖ /, '');
    const what = result.status === 'done' ? `✓ ${this.metric} ${value}${by}` : `✖ failed${by}: ${error}`;
    this.line(`${count} ${trial.id} ${this.describe(trial)} ${what}`);
    this.showStatus();
  }

  /** A line of its own, above the status line. */
  line(text: string): void {
    this.clearStatus();
    this.out.write(text + '\n');
  }

  end(): void {
    this.clearStatus();
  }

  status(): string {
    const workers = new Map<string, RunningTrial[]>();
    for (const trial of this.running.values()) workers.set(trial.worker, [...(workers.get(trial.worker) ?? []), trial]);
    const names = [...new Set([...workers.keys(), ...this.donePerWorker.keys()])].sort();
    const perWorker = names.map((name) => {
      const trials = (workers.get(name) ?? []).map((t) => `${t.id.slice(0, 6)} ${t.epoch}/${t.epochs}`);
      return `${name}: ${this.donePerWorker.get(name) ?? 0} done${trials.length ? ', ' + trials.join(' ') : ''}`;
    });
    const waiting = this.waiting ?? Math.max(0, this.total - this.done - this.failed - this.running.size);
    const counts = [`done ${this.done}/${this.total}`, `running ${this.running.size}`, `failed ${this.failed}`];
    return [[...counts, `waiting ${waiting}`].join(' · '), ...perWorker].join(' │ ');
  }

  private showStatus(): void {
    const status = this.status();
    if (status === this.statusShown) return;
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      this.out.write(`\r\x1b[K${status.length > width ? status.slice(0, width - 1) + '…' : status}`);
      this.statusShown = status;
    } else if (Date.now() - this.lastPlainStatus >= PLAIN_STATUS_MS) {
      this.out.write(status + '\n');
      this.statusShown = status;
      this.lastPlainStatus = Date.now();
    }
  }

  private clearStatus(): void {
    if (this.out.isTTY && this.statusShown) this.out.write('\r\x1b[K');
    this.statusShown = '';
  }
}

/** Describes trials by their values, each path named by its last keys (as the ranked table names them). */
export function trialDescriber(trials: readonly Trial[]): (trial: Trial) => string {
  const paths = [...new Set(trials.flatMap((t) => Object.keys(t.point)))];
  const labels = new Map(shortLabels(paths).map((label, i) => [paths[i], label]));
  return (trial) =>
    [
      ...Object.entries(trial.point).map(([path, value]) => `${labels.get(path)}=${JSON.stringify(value)}`),
      ...('seed' in trial.point ? [] : [`seed=${trial.config.seed}`]),
    ].join(' ');
}
