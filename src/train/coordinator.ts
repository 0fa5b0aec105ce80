import { UserError } from '../errors.ts';
import { Command, Slot, taggedStart } from './control.ts';
import { StepFailure } from './errors.ts';
import type { RunSetup } from './setup.ts';
import { ShardComputer } from './shard.ts';
import { WorkerPool } from './worker-pool.ts';

export interface PhaseStats {
  lossSum: number;
  correct: number;
  count: number;
}

export interface CoordinatorOptions {
  readonly stepTimeoutMs: number;
  readonly startTimeoutMs?: number;
  readonly maxAttempts?: number;
  /**
   * Tests only: a worker misbehaves at step `step`, `times` times, after taking a chunk (`chunk`,
   * the default) or after writing its range's update (`update`: mid-way through the update).
   */
  readonly fault?: { kind: 'throw' | 'exit'; step: number; times: number; phase?: 'chunk' | 'update' };
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
 * pool. The coordinator computes a share itself, so `threads` counts it. Waiting is spin-then-
 * `Atomics.waitAsync`, never a blocking wait, so a crashed worker is noticed; a failed or timed
 * out step is retried on fresh workers and, after `maxAttempts`, stops the run naming the step.
 */
export class Coordinator {
  readonly shard: ShardComputer;
  private readonly control: Int32Array;
  private pool: WorkerPool | null = null;
  private failure: Error | null = null;
  private generation: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly setup: RunSetup,
    private readonly options: CoordinatorOptions,
  ) {
    this.shard = new ShardComputer(memory, setup, 0);
    this.control = this.shard.views.control;
    this.generation = Atomics.load(this.control, Slot.GENERATION);
    const fault = options.fault;
    Atomics.store(this.control, Slot.FAULT_STEP, fault ? fault.step : -1);
    Atomics.store(this.control, Slot.FAULTS_LEFT, fault ? fault.times : 0);
  }

  async start(): Promise<void> {
    if (this.setup.threads === 1) return;
    this.failure = null;
    Atomics.store(this.control, Slot.READY, 0);
    const fault = this.options.fault;
    const data = {
      memory: this.memory,
      setup: this.setup,
      fault: fault && { kind: fault.kind, phase: fault.phase ?? 'chunk' },
    };
    this.pool = new WorkerPool(this.setup.threads - 1, data, (error) => {
      this.failure ??= error;
      for (const slot of WAKE_SLOTS) Atomics.notify(this.control, slot);
    });
    await this.waitCount(Slot.READY, this.setup.threads - 1, this.options.startTimeoutMs ?? 60_000, 'worker start-up');
  }

  /** Forward + backward on every chunk of the batch, the reduced gradient and the (uncommitted) update. */
  trainStep(step: number, batchStart: number, batchSize: number): Promise<PhaseStats> {
    return this.withRetries(`step ${step}`, async () => {
      const generation = this.publish(Command.TRAIN, [
        [Slot.STEP, step],
        [Slot.BATCH_START, batchStart],
        [Slot.BATCH_SIZE, batchSize],
        [Slot.CHUNK_COUNT, this.setup.chunks],
        [Slot.RANGE_COUNT, this.setup.rangeCount],
        [Slot.NON_FINITE, 0],
      ]);
      // At an injected fault's step, leave that phase's work to the workers: on a small step the
      // coordinator can otherwise do it all before a worker wakes, and the fault never fires.
      const faultPhase =
        this.pool !== null && this.options.fault?.step === step ? (this.options.fault.phase ?? 'chunk') : null;
      if (faultPhase !== 'chunk') this.shard.runChunks(generation, false, () => false);
      await this.waitCount(Slot.CHUNKS_DONE, this.setup.chunks, this.options.stepTimeoutMs, `step ${step}`);
      if (faultPhase !== 'update') this.shard.runRanges(generation, () => false);
      await this.waitCount(Slot.RANGES_DONE, this.setup.rangeCount, this.options.stepTimeoutMs, `step ${step}`);
      return this.sumStats(this.setup.chunks);
    });
  }

  /**
   * Makes the last step's update current. Only the coordinator flips the buffers, and only after
   * every range is done: whatever failed before this point, the committed state is whole.
   */
  commitStep(): void {
    Atomics.store(this.control, Slot.CURRENT, 1 - Atomics.load(this.control, Slot.CURRENT));
  }

  /** True when the last step's reduced gradient holds a NaN or ±Inf. */
  gradientNonFinite(): boolean {
    return Atomics.load(this.control, Slot.NON_FINITE) !== 0;
  }

  /** Loss sum and correct count over the whole test split. */
  evaluate(): Promise<PhaseStats> {
    const chunks = Math.ceil(this.setup.testCount / this.setup.maxRows);
    if (chunks === 0) return Promise.resolve({ lossSum: 0, correct: 0, count: 0 });
    return this.withRetries('evaluation', async () => {
      const generation = this.publish(Command.EVAL, [[Slot.CHUNK_COUNT, chunks]]);
      this.shard.runChunks(generation, true, () => false);
      await this.waitCount(Slot.CHUNKS_DONE, chunks, this.options.stepTimeoutMs, 'evaluation');
      return this.sumStats(chunks);
    });
  }

  /** Stops the workers and destroys the pool; safe to call on every exit path, more than once. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (!pool) return;
    this.publish(Command.STOP, []);
    await pool.destroy();
  }

  private publish(command: number, values: Array<[number, number]>): number {
    const next = this.generation + 1;
    for (const [slot, value] of values) Atomics.store(this.control, slot, value);
    Atomics.store(this.control, Slot.NEXT_CHUNK, taggedStart(next));
    Atomics.store(this.control, Slot.NEXT_RANGE, taggedStart(next));
    Atomics.store(this.control, Slot.CHUNKS_DONE, 0);
    Atomics.store(this.control, Slot.RANGES_DONE, 0);
    Atomics.store(this.control, Slot.COMMAND, command);
    // Everything above happens-before a worker's atomic read of the new generation.
    Atomics.store(this.control, Slot.GENERATION, next);
    Atomics.notify(this.control, Slot.GENERATION);
    this.generation = next;
    return next;
  }

  /** Sums per-chunk stats in chunk order (the order fixes the float rounding). */
  private sumStats(entries: number): PhaseStats {
    const stats = this.shard.views.stats;
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
        if (this.failure) throw new StepFailure(`a worker failed before ${what}: ${this.failure.message}`);
        return await attempt();
      } catch (error) {
        if (!(error instanceof StepFailure)) throw error;
        if (tries >= maxAttempts)
          throw new UserError(`${what} failed ${tries} times; giving up. Last failure: ${error.message}`, 1);
        await this.restart();
      }
    }
  }

  /** Abandons the current phase and replaces every worker with a fresh one. */
  private async restart(): Promise<void> {
    Atomics.store(this.control, Slot.ABORT, this.generation);
    for (const slot of WAKE_SLOTS) Atomics.notify(this.control, slot);
    await this.pool?.destroy();
    this.pool = null;
    await this.start();
  }

  private async waitCount(slot: number, target: number, timeoutMs: number, what: string): Promise<void> {
    const start = performance.now();
    for (;;) {
      if (this.failure) throw new StepFailure(`${what}: ${this.failure.message}`);
      const current = Atomics.load(this.control, slot);
      if (current >= target) return;
      const elapsed = performance.now() - start;
      if (elapsed < this.setup.spinMicros / 1000) continue;
      if (elapsed > timeoutMs) throw new StepFailure(`${what} timed out after ${(timeoutMs / 1000).toFixed(1)} s`);
      const result = waitAsync(this.control, slot, current, Math.min(timeoutMs - elapsed, 1000));
      if (result.async) await result.value;
    }
  }
}
