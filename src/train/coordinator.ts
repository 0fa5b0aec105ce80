import { errors, StepFailure, UserError } from '../errors.ts';
import { Command, Slot, atomicWords, type ControlWords } from './control.ts';
import { closePhase, emptyPhase, publishPhase, runChunks, runRanges, type PhaseRequest } from './phase.ts';
import type { RunSetup } from './setup.ts';
import { ComputeThread } from './compute-thread.ts';
import { WorkerPool } from './worker-pool.ts';
import type { ModelState } from './weights.ts';

export interface PhaseStats {
  lossSum: number;
  correct: number;
  count: number;
}

export interface CoordinatorOptions {
  readonly stepTimeoutMs: number;
  /** Default: 30 s plus 5 s per thread (a start-up on an oversubscribed machine is slow, not stuck). */
  readonly startTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** The module each pool thread runs (default workers/trainer.ts); tests wrap it to inject faults. */
  readonly workerFile?: string;
  /** Told of each failed attempt before it is retried on fresh workers. */
  readonly onRetry?: (what: string, attempt: number, error: Error) => void;
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
const WAKE_SLOTS = [Slot.READY, Slot.CHUNKS_DONE, Slot.RANGES_DONE];

/**
 * Runs phases (a training step, an evaluation) on the coordinator's own thread plus the worker
 * pool, through the phase protocol (phase.ts). The coordinator computes a share itself, so
 * `threads` counts it. Waiting is spin-then-`Atomics.waitAsync`, never a blocking wait, so a
 * crashed worker is noticed; a failed or timed out step is retried on fresh workers and, after
 * `maxAttempts`, stops the run naming the step.
 */
export class Coordinator {
  private readonly compute: ComputeThread;
  private readonly control: Int32Array;
  private readonly words: ControlWords;
  /** The phase last published (the coordinator's copy of the descriptor). */
  private readonly phase = emptyPhase();
  /** The committed parameter buffer: a step reads it and writes the other one. */
  private params = 0;
  private pool: WorkerPool | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly setup: RunSetup,
    private readonly options: CoordinatorOptions,
  ) {
    this.compute = new ComputeThread(memory, setup, 0);
    this.control = this.compute.views.control;
    this.words = atomicWords(this.control, setup.spinMicros);
  }

  async start(): Promise<void> {
    if (this.setup.threads === 1) return;
    this.failure = null;
    Atomics.store(this.control, Slot.READY, 0);
    const run = { memory: this.memory, setup: this.setup };
    this.pool = await WorkerPool.start(this.setup.threads - 1, run, this.options.workerFile, (error) => {
      this.failure ??= error;
      for (const slot of WAKE_SLOTS) Atomics.notify(this.control, slot);
    });
    const timeoutMs = this.options.startTimeoutMs ?? 30_000 + 5_000 * this.setup.threads;
    try {
      await this.waitFor(Slot.READY, this.setup.threads - 1, timeoutMs, 'worker start-up');
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      await this.close();
      const failed = new UserError(`the worker threads could not start: ${error.message}`, 1);
      failed.cause = error;
      throw failed;
    }
  }

  /** Forward + backward on every chunk of the batch, the reduced gradient and the (uncommitted) update. */
  trainStep(step: number, batchStart: number, batchSize: number): Promise<PhaseStats> {
    const what = `step ${step}`;
    return this.withRetries(what, async () => {
      const { chunks, rangeCount: ranges } = this.setup;
      await this.statisticsPhases(step, batchStart, batchSize);
      const phase = this.publish({ command: Command.TRAIN, chunks, ranges, batchStart, batchSize, step });
      runChunks(this.words, phase, this.compute);
      await this.waitFor(Slot.CHUNKS_DONE, (phase.base + chunks) | 0, this.options.stepTimeoutMs, what);
      runRanges(this.words, phase, this.compute);
      await this.waitFor(Slot.RANGES_DONE, (phase.base + ranges) | 0, this.options.stepTimeoutMs, what);
      if (this.setup.clipGradientNorm !== undefined) await this.clippedUpdate(step, what);
      return this.sumStats(chunks);
    });
  }

  /**
   * Batch norm's statistics stages of a step (batch-norm-stages.ts), each a chunk-only phase that
   * must complete before the next one is published; none for a model without batch norm.
   */
  private async statisticsPhases(step: number, batchStart: number, batchSize: number): Promise<void> {
    const { chunks } = this.setup;
    for (let stage = 0; stage < this.compute.statisticsStages; stage++) {
      const phase = this.publish({ command: Command.STATS, chunks, ranges: 0, batchStart, batchSize, step, stage });
      runChunks(this.words, phase, this.compute);
      await this.waitFor(Slot.CHUNKS_DONE, (phase.base + chunks) | 0, this.options.stepTimeoutMs, `step ${step}`);
    }
  }

  /**
   * With gradient clipping the TRAIN phase only reduces (and sums squares per range): the update is
   * a phase of its own, since the clip factor needs every range's sum. A non-finite gradient is
   * never applied (the epoch loop stops the run on it), so its update is skipped.
   */
  private async clippedUpdate(step: number, what: string): Promise<void> {
    if (this.gradientNonFinite()) return;
    const ranges = this.setup.rangeCount;
    const phase = this.publish({ command: Command.UPDATE, chunks: 0, ranges, batchStart: 0, batchSize: 0, step });
    runRanges(this.words, phase, this.compute);
    await this.waitFor(Slot.RANGES_DONE, (phase.base + ranges) | 0, this.options.stepTimeoutMs, what);
  }

  /**
   * Makes the last step's update current. Only the coordinator flips the buffers, and only after
   * every range is done: whatever failed before this point, the committed state is whole.
   */
  commitStep(): void {
    this.params = 1 - this.params;
  }

  /** The committed parameter vector. */
  committedParams(): Float32Array {
    return this.compute.paramsBuffer(this.params);
  }

  /** The committed buffers (batch norm's running statistics; empty without batch norm). */
  committedBuffers(): Float32Array {
    return this.compute.buffersOf(this.params);
  }

  /** The committed optimizer state vectors (momentum, AdaGrad/Adam accumulators). */
  committedOptimizerState(): Float32Array[] {
    return this.compute.views.optimizerState[this.params];
  }

  /** True when the last step's reduced gradient holds a NaN or ±Inf. */
  gradientNonFinite(): boolean {
    return Atomics.load(this.control, Slot.NON_FINITE) !== 0;
  }

  /** Loss sum and correct count over the whole test split (or the validation split). */
  evaluate(split: 'test' | 'validation' = 'test'): Promise<PhaseStats> {
    // The evaluation region holds the test rows, then the validation rows.
    const { testCount, validationCount, maxRows } = this.setup;
    const [batchStart, batchSize] = split === 'test' ? [0, testCount] : [testCount, validationCount];
    const chunks = Math.ceil(batchSize / maxRows);
    if (chunks === 0) return Promise.resolve({ lossSum: 0, correct: 0, count: 0 });
    return this.withRetries('evaluation', async () => {
      const phase = this.publish({ command: Command.EVAL, chunks, ranges: 0, batchStart, batchSize });
      runChunks(this.words, phase, this.compute);
      await this.waitFor(Slot.CHUNKS_DONE, (phase.base + chunks) | 0, this.options.stepTimeoutMs, 'evaluation');
      return this.sumStats(chunks);
    });
  }

  /**
   * Scores other weights (the best epoch's) on a split, between or after steps: they go into the
   * uncommitted buffer, which the next step's update overwrites whole — with their own running
   * statistics (batch norm), which evaluation reads from the same buffer index.
   */
  async evaluateWeights(weights: ModelState, split: 'test' | 'validation'): Promise<PhaseStats> {
    this.compute.paramsBuffer(1 - this.params).set(weights.params);
    this.compute.buffersOf(1 - this.params).set(weights.buffers);
    this.params = 1 - this.params;
    try {
      return await this.evaluate(split);
    } finally {
      this.params = 1 - this.params;
    }
  }

  /**
   * Stops the workers; safe to call on every exit path, more than once. Healthy threads are kept
   * for the process's next run (worker-pool.ts), a pool that saw a failure is destroyed.
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (!pool) return;
    this.publish({ command: Command.STOP, chunks: 0, ranges: 0, batchStart: 0, batchSize: 0 });
    await (this.failure ? pool.destroy() : pool.release());
  }

  /** Publishes the next phase; the previous one is complete or closed (restart) by now. */
  private publish(request: Omit<PhaseRequest, 'params' | 'step'> & { step?: number }) {
    publishPhase(this.words, this.phase, { step: this.phase.step, ...request, params: this.params });
    return this.phase;
  }

  /** Sums per-chunk stats in chunk order (the order fixes the float rounding). */
  private sumStats(entries: number): PhaseStats {
    const stats = this.compute.views.stats;
    const total = { lossSum: 0, correct: 0, count: 0 };
    for (let e = 0; e < entries; e++) {
      total.lossSum += stats[3 * e];
      total.correct += stats[3 * e + 1];
      total.count += stats[3 * e + 2];
    }
    return total;
  }

  private async withRetries(what: string, attempt: () => Promise<PhaseStats>): Promise<PhaseStats> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let tries = 1; ; tries++) {
      try {
        if (this.failure)
          throw new StepFailure(`a worker failed before ${what}: ${this.failure.message}`, this.failure);
        return await attempt();
      } catch (error) {
        if (!(error instanceof StepFailure)) throw error;
        if (tries >= maxAttempts) {
          throw errors.stepFailed(what, tries, error);
        }
        this.options.onRetry?.(what, tries, error);
        await this.restart();
      }
    }
  }

  /** Abandons the current phase and replaces every worker with a fresh one. */
  private async restart(): Promise<void> {
    closePhase(this.words, this.phase);
    await this.pool?.destroy();
    this.pool = null;
    await this.start();
  }

  /** Waits until `control[slot]` holds `target`, noticing a failed worker or the timeout. */
  private async waitFor(slot: number, target: number, timeoutMs: number, what: string): Promise<void> {
    const start = performance.now();
    for (;;) {
      if (this.failure) throw new StepFailure(`${what}: ${this.failure.message}`, this.failure);
      const current = Atomics.load(this.control, slot);
      if (current === target) return;
      const elapsed = performance.now() - start;
      if (elapsed < this.setup.spinMicros / 1000) continue;
      if (elapsed > timeoutMs) throw new StepFailure(`${what} timed out after ${(timeoutMs / 1000).toFixed(1)} s`);
      const result = waitAsync(this.control, slot, current, Math.min(timeoutMs - elapsed, 1000));
      if (result.async) await result.value;
    }
  }
}
