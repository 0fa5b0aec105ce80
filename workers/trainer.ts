import { workerData } from 'node:worker_threads';
import { Command, Slot, waitForCount, waitWhileEquals } from '../src/train/control.ts';
import type { RunSetup } from '../src/train/setup.ts';
import { ShardComputer } from '../src/train/shard.ts';

/** What the coordinator hands every worker once, at pool creation. */
export interface TrainerWorkerData {
  readonly memory: WebAssembly.Memory;
  readonly setup: RunSetup;
  /** Tests only: misbehave at control[FAULT_STEP] while control[FAULTS_LEFT] > 0 (CoordinatorOptions.fault). */
  readonly fault?: { kind: 'throw' | 'exit'; phase: 'chunk' | 'update' };
}

/**
 * A long-lived Piscina task: builds this thread's model views once, then serves phases published
 * on the control block until told to stop. Synchronising through shared memory instead of one
 * Piscina round per step is what lets a sub-millisecond step still speed up (DESIGN.md).
 */
export default function serve({ threadIndex }: { threadIndex: number }): string {
  const { memory, setup, fault } = workerData as TrainerWorkerData;
  const shard = new ShardComputer(memory, setup, threadIndex);
  const control = shard.views.control;
  let generation = Atomics.load(control, Slot.GENERATION);
  Atomics.add(control, Slot.READY, 1);
  Atomics.notify(control, Slot.READY);
  const injectFault = fault ? () => maybeFail(control, fault.kind) : undefined;
  for (;;) {
    waitWhileEquals(control, Slot.GENERATION, generation, setup.spinMicros, () => false);
    generation = Atomics.load(control, Slot.GENERATION);
    const command = Atomics.load(control, Slot.COMMAND);
    if (command === Command.STOP) return 'stopped';
    const aborted = () => Atomics.load(control, Slot.ABORT) === generation;
    if (command === Command.EVAL) {
      shard.runChunks(generation, true, aborted);
      continue;
    }
    shard.runChunks(generation, false, aborted, fault?.phase === 'chunk' ? injectFault : undefined);
    // A worker that woke late can reach this barrier after the coordinator finished the phase and
    // published the next one: stop waiting then, or it sits out the new phase (which times out if
    // the coordinator left that phase's chunks to the workers, as it does at an injected fault).
    const stale = () => aborted() || Atomics.load(control, Slot.GENERATION) !== generation;
    if (!waitForCount(control, Slot.CHUNKS_DONE, Atomics.load(control, Slot.CHUNK_COUNT), setup.spinMicros, stale))
      continue;
    shard.runRanges(generation, aborted, fault?.phase === 'update' ? injectFault : undefined);
  }
}

/** Fault injection for the retry tests: fails after grabbing a chunk, so the step cannot finish. */
function maybeFail(control: Int32Array, fault: 'throw' | 'exit'): void {
  if (Atomics.load(control, Slot.STEP) !== Atomics.load(control, Slot.FAULT_STEP)) return;
  if (Atomics.sub(control, Slot.FAULTS_LEFT, 1) <= 0) return;
  if (fault === 'exit') process.exit(3);
  throw new Error(`injected fault at step ${Atomics.load(control, Slot.STEP)}`);
}
