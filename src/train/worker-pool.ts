import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { RunSetup } from './setup.ts';
import { startPiscina } from './worker-bundle.ts';

/** The task each pool thread serves for one run (the worker protocol): `threadIndex` picks its scratch region. */
export interface TrainerTask {
  readonly memory: WebAssembly.Memory;
  readonly setup: RunSetup;
  /** The compiled WebAssembly kernels (wasm runs): a thread instantiates them without compiling again. */
  readonly kernelModule: WebAssembly.Module | null;
  /** 1-based; 0 is the coordinator's own thread. */
  readonly threadIndex: number;
}

export const defaultWorkerFile = fileURLToPath(new URL('../../workers/trainer.ts', import.meta.url));

/** How long a released pool's threads wait for the process's next run before they are ended. */
const IDLE_POOL_MS = 30_000;
/** How long the threads of a finished run get to return from their task before the pool is destroyed. */
const STOP_GRACE_MS = 5_000;

interface KeptPool {
  readonly piscina: Piscina;
  readonly size: number;
}

/**
 * A thread costs ~0.15 s of CPU to start from the worker bundle (a V8 isolate and the modules;
 * ~0.5 s through the TypeScript loader, worker-bundle.ts), more than a small run's training. A
 * process that trains several times (a script, a sweep, the tests) reuses the threads of its last
 * run: one idle pool of the default worker module is kept,
 * its threads unreferenced by Piscina (they never keep the process alive) and ended after
 * IDLE_POOL_MS. Everything a run needs travels in its task, so a reused thread starts clean.
 * Pools of other worker modules (the tests' fault injectors) are never reused.
 */
let idle: (KeptPool & { timer: NodeJS.Timeout }) | null = null;

function takeIdlePool(size: number, workerFile: string): KeptPool | null {
  if (!idle || workerFile !== defaultWorkerFile) return null;
  const kept = idle;
  clearTimeout(kept.timer);
  idle = null;
  if (kept.size >= size) return kept; // extra threads just stay idle during the run
  void kept.piscina.destroy(); // too few threads for this run
  return null;
}

function keepIdlePool({ piscina, size }: KeptPool): void {
  if (idle) void idle.piscina.destroy();
  const timer = setTimeout(() => {
    if (idle?.piscina === piscina) idle = null;
    void piscina.destroy();
  }, IDLE_POOL_MS);
  timer.unref();
  idle = { piscina, size, timer };
}

/**
 * Ends the idle pool now instead of after IDLE_POOL_MS: for a process that trains no more (the
 * CLI, before its report), so that the threads' memory, and their hold on the last run's shared
 * arena, go at once.
 */
export async function endIdlePool(): Promise<void> {
  const kept = idle;
  if (!kept) return;
  idle = null;
  clearTimeout(kept.timer);
  await kept.piscina.destroy();
}

function startPool(size: number, workerFile: string): KeptPool {
  const options = {
    // minThreads = maxThreads and a long idleTimeout: Piscina's defaults would shrink the pool.
    minThreads: size,
    maxThreads: size,
    idleTimeout: 3_600_000,
  };
  return { piscina: startPiscina(workerFile, options), size };
}

/**
 * The Piscina threads of a run, each serving one long-lived task. Any failure — a task that
 * throws, a thread that exits, a module that fails to load (Piscina then only emits 'error') —
 * is reported once through `onFailure`, so the coordinator can stop waiting and retry.
 */
export class WorkerPool {
  /** A reused pool may have more threads than this run has tasks. */
  private readonly pool: KeptPool;
  private readonly tasks: Promise<unknown>[];
  private readonly report: (error: unknown) => void;
  private closing = false;

  constructor(
    size: number,
    run: Omit<TrainerTask, 'threadIndex'>,
    private readonly workerFile: string = defaultWorkerFile,
    onFailure: (error: Error) => void,
  ) {
    this.pool = takeIdlePool(size, workerFile) ?? startPool(size, workerFile);
    this.report = (error: unknown) => {
      if (!this.closing) onFailure(error instanceof Error ? error : new Error(String(error)));
    };
    this.pool.piscina.on('error', this.report);
    this.tasks = Array.from({ length: size }, (_, i) =>
      this.pool.piscina.run({ ...run, threadIndex: i + 1 } satisfies TrainerTask).catch(this.report),
    );
  }

  /**
   * After the coordinator published STOP: waits for every thread to return from its task and keeps
   * the pool for the process's next run; a thread that does not return in time ends the pool.
   */
  async release(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
    const stopped = await Promise.race([Promise.all(this.tasks).then(() => 'stopped' as const), late]);
    clearTimeout(timer);
    if (stopped === 'late' || this.workerFile !== defaultWorkerFile) return this.destroy();
    this.closing = true;
    this.pool.piscina.off('error', this.report);
    keepIdlePool(this.pool);
  }

  /** Terminates every thread; failures after this point are expected and not reported. */
  async destroy(): Promise<void> {
    this.closing = true;
    this.pool.piscina.off('error', this.report);
    await this.pool.piscina.destroy();
  }
}
