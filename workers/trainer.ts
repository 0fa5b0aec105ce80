import { adoptKernelModule } from '../src/kernels/wasm.ts';
import { atomicWords } from '../src/train/control.ts';
import { serveThread } from '../src/train/phase.ts';
import { ComputeThread } from '../src/train/compute-thread.ts';
import type { TrainerTask } from '../src/train/worker-pool.ts';

/**
 * A long-lived Piscina task: builds this thread's model views once, then serves the phases the
 * coordinator publishes on the control block until told to stop. Synchronising through shared
 * memory instead of one Piscina round per step is what lets a sub-millisecond step still speed up.
 */
export default function serve({ memory, setup, kernelModule, threadIndex }: TrainerTask): string {
  if (kernelModule) adoptKernelModule(kernelModule);
  const shard = new ComputeThread(memory, setup, threadIndex);
  serveThread(atomicWords(shard.views.control, setup.spinMicros), shard);
  return 'stopped';
}
