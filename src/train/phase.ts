import { Command, Slot, type ControlWords } from './control.ts';

/**
 * The phase protocol (docs/protocol.md). A phase is one training step or one evaluation. The
 * coordinator publishes it as a descriptor under a seqlock; every thread reads a validated
 * snapshot of it and acts on nothing else. Work items (chunks, then ranges) are tickets in the
 * phase's own window of a counter that only moves forward: a thread that read an older phase finds
 * its window used up and takes nothing, so no count, index or "done" of one phase can be taken for
 * another's. The interleaving test (test/train/interleaving.test.ts) explores the orderings.
 */

/** A validated snapshot of a phase descriptor. Each thread reuses one object: no allocation per step. */
export interface Phase {
  /** 2·generation: even, changes with every publish. */
  sequence: number;
  command: number;
  /** First ticket of the phase: chunk c is ticket base + c, range r is ticket base + r. */
  base: number;
  chunks: number;
  ranges: number;
  batchStart: number;
  batchSize: number;
  step: number;
  /** The parameter buffer (0 or 1) the phase reads. */
  params: number;
  /** STATS phases: the statistics stage (0 otherwise). */
  stage: number;
}

export type PhaseRequest = Omit<Phase, 'sequence' | 'base' | 'stage'> & { stage?: number };

/** The work of one compute thread; what an item computes depends only on the phase and the index. */
export interface PhaseWork {
  trainChunk(phase: Phase, chunk: number): void;
  evalChunk(phase: Phase, chunk: number): void;
  /** A batch-norm statistics stage on chunk c: writes that chunk's partial sums. */
  statsChunk(phase: Phase, chunk: number): void;
  reduceRange(phase: Phase, range: number): void;
  /** Range r of an UPDATE phase (gradient clipping): scale the reduced gradient, apply the optimizer. */
  updateRange(phase: Phase, range: number): void;
}

/** Chunks or ranges one phase may have: keeps ticket arithmetic far from 2^32 wrap-around. */
export const MAX_PHASE_ITEMS = 1 << 20;

const TICKET_SLOTS = [Slot.NEXT_CHUNK, Slot.CHUNKS_DONE, Slot.NEXT_RANGE, Slot.RANGES_DONE];
const DONE_SLOTS = [Slot.CHUNKS_DONE, Slot.RANGES_DONE];

export function emptyPhase(): Phase {
  return {
    sequence: 0,
    command: Command.IDLE,
    base: 0,
    chunks: 0,
    ranges: 0,
    batchStart: 0,
    batchSize: 0,
    step: 0,
    params: 0,
    stage: 0,
  };
}

/**
 * Coordinator only, and only when no thread can still act on `current` (it is complete or closed):
 * writes the next phase into `current`. The window of the new phase starts past every ticket of the
 * old one, so stale grabs and stale "done"s fall outside it.
 */
export function publishPhase(words: ControlWords, current: Phase, next: PhaseRequest): void {
  const sequence = (current.sequence + 2) | 0;
  const base = (current.base + Math.max(current.chunks, current.ranges) + 1) | 0;
  current.sequence = sequence;
  current.base = base;
  current.command = next.command;
  current.chunks = next.chunks;
  current.ranges = next.ranges;
  current.batchStart = next.batchStart;
  current.batchSize = next.batchSize;
  current.step = next.step;
  current.params = next.params;
  current.stage = next.stage ?? 0;
  words.store(Slot.SEQUENCE, sequence - 1); // odd: a reader that overlaps this write discards what it read
  words.store(Slot.COMMAND, next.command);
  words.store(Slot.BASE, base);
  words.store(Slot.CHUNK_COUNT, next.chunks);
  words.store(Slot.RANGE_COUNT, next.ranges);
  words.store(Slot.BATCH_START, next.batchStart);
  words.store(Slot.BATCH_SIZE, next.batchSize);
  words.store(Slot.STEP, next.step);
  words.store(Slot.PARAMS, next.params);
  words.store(Slot.STAGE, current.stage);
  words.store(Slot.NON_FINITE, 0);
  for (const slot of TICKET_SLOTS) words.store(slot, base);
  words.store(Slot.SEQUENCE, sequence);
  words.notify(Slot.SEQUENCE);
}

/**
 * Coordinator only: abandons `phase` after a failure. No ticket of it can be taken any more, its
 * waiters wake and see it will never complete, and a late "done" is refused.
 */
export function closePhase(words: ControlWords, phase: Phase): void {
  words.store(Slot.NEXT_CHUNK, (phase.base + phase.chunks) | 0);
  words.store(Slot.NEXT_RANGE, (phase.base + phase.ranges) | 0);
  for (const slot of DONE_SLOTS) {
    words.store(slot, (phase.base - 1) | 0);
    words.notify(slot);
  }
}

/** Reads the descriptor into `into`; false when it was being written meanwhile (then read again). */
export function readPhase(words: ControlWords, into: Phase): boolean {
  const sequence = words.load(Slot.SEQUENCE);
  if (sequence & 1) return false;
  const command = words.load(Slot.COMMAND);
  const base = words.load(Slot.BASE);
  const chunks = words.load(Slot.CHUNK_COUNT);
  const ranges = words.load(Slot.RANGE_COUNT);
  const batchStart = words.load(Slot.BATCH_START);
  const batchSize = words.load(Slot.BATCH_SIZE);
  const step = words.load(Slot.STEP);
  const params = words.load(Slot.PARAMS);
  const stage = words.load(Slot.STAGE);
  if (words.load(Slot.SEQUENCE) !== sequence) return false;
  into.sequence = sequence;
  into.command = command;
  into.base = base;
  into.chunks = chunks;
  into.ranges = ranges;
  into.batchStart = batchStart;
  into.batchSize = batchSize;
  into.step = step;
  into.params = params;
  into.stage = stage;
  return true;
}

/** Waits for a phase other than `seen` and reads it into `into`. */
export function awaitNextPhase(words: ControlWords, seen: number, into: Phase): void {
  for (;;) {
    const sequence = words.load(Slot.SEQUENCE);
    if (sequence !== seen && !(sequence & 1) && readPhase(words, into)) return;
    words.wait(Slot.SEQUENCE, sequence);
  }
}

/** Takes the next ticket of the window [base, base + count) of `slot`: its index, or −1 when none is left. */
export function grab(words: ControlWords, slot: number, base: number, count: number): number {
  for (;;) {
    const ticket = words.load(slot);
    const index = (ticket - base) >>> 0;
    if (index >= count) return -1;
    if (words.compareExchange(slot, ticket, (ticket + 1) | 0) === ticket) return index;
  }
}

/**
 * Counts one item of the phase done; wakes the waiters when it was the last. False when the phase
 * was closed: the item is dropped (the phase is being retried).
 */
export function finish(words: ControlWords, slot: number, base: number, count: number): boolean {
  for (;;) {
    const done = words.load(slot);
    const index = (done - base) >>> 0;
    if (index === count) throw new Error(`phase protocol broken: slot ${slot} counted more items than ${count}`);
    if (index > count) return false;
    if (words.compareExchange(slot, done, (done + 1) | 0) === done) {
      if (index + 1 === count) words.notify(slot);
      return true;
    }
  }
}

/** Waits until the window completes (true) or the phase is closed or replaced (false). */
export function awaitCompletion(words: ControlWords, slot: number, base: number, count: number): boolean {
  for (;;) {
    const done = words.load(slot);
    const index = (done - base) >>> 0;
    if (index === count) return true;
    if (index > count) return false;
    words.wait(slot, done);
  }
}

/** Takes and computes chunks of `phase` until none is left. */
export function runChunks(words: ControlWords, phase: Phase, work: PhaseWork): void {
  for (;;) {
    const chunk = grab(words, Slot.NEXT_CHUNK, phase.base, phase.chunks);
    if (chunk < 0) return;
    if (phase.command === Command.EVAL) work.evalChunk(phase, chunk);
    else if (phase.command === Command.STATS) work.statsChunk(phase, chunk);
    else work.trainChunk(phase, chunk);
    if (!finish(words, Slot.CHUNKS_DONE, phase.base, phase.chunks)) return;
  }
}

/** Takes and reduces (TRAIN) or updates (UPDATE) ranges of `phase` until none is left (after every chunk is done). */
export function runRanges(words: ControlWords, phase: Phase, work: PhaseWork): void {
  for (;;) {
    const range = grab(words, Slot.NEXT_RANGE, phase.base, phase.ranges);
    if (range < 0) return;
    if (phase.command === Command.UPDATE) work.updateRange(phase, range);
    else work.reduceRange(phase, range);
    if (!finish(words, Slot.RANGES_DONE, phase.base, phase.ranges)) return;
  }
}

/**
 * A worker thread's life: says it is ready, then serves every phase the coordinator publishes
 * until a STOP. In a training phase it waits for every chunk before it takes ranges to reduce; an
 * update phase has no chunks, only ranges.
 */
export function serveThread(words: ControlWords, work: PhaseWork, phase: Phase = emptyPhase()): void {
  let seen = words.load(Slot.SEQUENCE);
  let ready = words.load(Slot.READY);
  while (words.compareExchange(Slot.READY, ready, ready + 1) !== ready) ready = words.load(Slot.READY);
  words.notify(Slot.READY);
  for (;;) {
    awaitNextPhase(words, seen, phase);
    seen = phase.sequence;
    if (phase.command === Command.STOP) return;
    runChunks(words, phase, work);
    if (phase.command !== Command.TRAIN && phase.command !== Command.UPDATE) continue;
    if (awaitCompletion(words, Slot.CHUNKS_DONE, phase.base, phase.chunks)) runRanges(words, phase, work);
  }
}
