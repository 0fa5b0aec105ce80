import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RunSetup } from './setup.ts';

/** What the coordinator hands every worker once, at pool creation (the worker protocol). */
export interface TrainerWorkerData {
  readonly memory: WebAssembly.Memory;
  readonly setup: RunSetup;
}

/** The task each pool thread runs: `threadIndex` picks its scratch region (0 is the coordinator's). */
export interface TrainerTask {
  readonly threadIndex: number;
}

export const defaultWorkerFile = fileURLToPath(new URL('../../workers/trainer.ts', import.meta.url));

/**
 * The Piscina threads of a run, each serving one long-lived task. Any failure — a task that
 * throws, a thread that exits, a module that fails to load (Piscina then only emits 'error') —
 * is reported once through `onFailure`, so the coordinator can stop waiting and retry.
 */
export class WorkerPool {
  private readonly pool: Piscina;
  private closing = false;

  constructor(
    size: number,
    data: TrainerWorkerData,
    workerFile: string = defaultWorkerFile,
    onFailure: (error: Error) => void,
  ) {
    // minThreads = maxThreads and a long idleTimeout: Piscina's defaults would shrink the pool.
    this.pool = new Piscina({
      filename: workerFile,
      minThreads: size,
      maxThreads: size,
      idleTimeout: 3_600_000,
      workerData: data,
      // tsx's disk cache does asynchronous file work in each thread that a terminated thread never
      // finishes: every pool leaked ~10 descriptors per thread (EMFILE after ~300 runs in one
      // process). Without the cache a thread transforms its modules itself (~0.1 s more to start).
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    const report = (error: unknown) => {
      if (!this.closing) onFailure(error instanceof Error ? error : new Error(String(error)));
    };
    this.pool.on('error', report);
    for (let i = 1; i <= size; i++) this.pool.run({ threadIndex: i } satisfies TrainerTask).catch(report);
  }

  /** Terminates every thread; failures after this point are expected and not reported. */
  async destroy(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }
}
