import { workerData } from 'node:worker_threads';
import { adoptKernelModule } from '../src/kernels/wasm.ts';
import { forwardTask } from '../src/use/parallel-task.ts';
import type { ForwardShared, ForwardTask } from '../src/use/parallel-types.ts';

/**
 * A Piscina task of a multi-threaded evaluation (src/use/parallel-eval.ts): the outputs and loss
 * sums of a run of blocks, computed on this thread's own forward engine (built once per thread).
 */
const shared = workerData as ForwardShared;
if (shared.kernelModule) adoptKernelModule(shared.kernelModule);

export default function run(task: ForwardTask) {
  return forwardTask(task, shared);
}
