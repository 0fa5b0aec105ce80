/**
 * What a finished run leaves behind, freed before the CLI's next memory-hungry phase (the report
 * loads its charting library, ~50 MB): the worker threads kept idle for a next run in the process
 * (the CLI has none), then the run's shared arena (its data: 55 MB for 70,000 28×28 images), which
 * only a full garbage collection releases — later than the report's peak if left to V8.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { endIdlePool } from '../train/worker-pool.ts';

export async function freeRunMemory(): Promise<void> {
  await endIdlePool();
  // `gc` of a fresh context, exposed only for this call (the flag off again for later contexts).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  // The first collection finds the arena's WebAssembly.Memory unreachable; its backing store (shared
  // with the threads' isolates, now gone) is released by the second.
  gc();
  gc();
}
