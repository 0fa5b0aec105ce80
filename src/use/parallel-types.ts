/** The messages of a multi-threaded evaluation: parallel-eval.ts (the caller) ↔ parallel-task.ts (a pool thread). */
import type { KernelName } from './engine.ts';
import type { ModelDescription } from './model-json.ts';

/** What every thread of the pool gets once (workerData). */
export interface ForwardShared {
  readonly description: ModelDescription;
  /** The flat parameter vector. */
  readonly params: Float32Array;
  /** The flat buffer vector (batch norm's running statistics; empty without batch norm). */
  readonly buffers: Float32Array;
  readonly kernels: KernelName;
  /** The compiled WebAssembly kernels (wasm): a thread instantiates them without compiling again. */
  readonly kernelModule: WebAssembly.Module | null;
  readonly blockRows: number;
}

/** Rows [start, start + count) of a batch: preprocessed inputs (rows × features) and targets, on SharedArrayBuffers. */
export interface ForwardTask {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly start: number;
  readonly count: number;
}

export interface ForwardResult {
  /** count × outputs. */
  readonly outputs: Float32Array;
  /** One loss sum per block of blockRows rows, in order. */
  readonly lossSums: number[];
}
