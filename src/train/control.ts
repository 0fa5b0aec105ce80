/**
 * The control block: Int32 slots in shared memory through which the coordinator and the workers
 * hand work over without messages. Named slots, never bare indices (cf. piscina's symbols.ts).
 *
 * One phase = the coordinator writes the phase's parameters, resets the counters, then bumps
 * GENERATION and notifies. Every thread grabs chunk indices from NEXT_CHUNK until they run out,
 * counts each finished chunk in CHUNKS_DONE; in a training phase everyone then waits for all
 * chunks (a barrier) and grabs parameter ranges to reduce from NEXT_RANGE, counting RANGES_DONE.
 * Grabbing dynamically balances the load; results do not depend on who ran what.
 */
export const Slot = {
  GENERATION: 0,
  COMMAND: 1,
  NEXT_CHUNK: 2,
  CHUNKS_DONE: 3,
  CHUNK_COUNT: 4,
  NEXT_RANGE: 5,
  RANGES_DONE: 6,
  RANGE_COUNT: 7,
  /** Set to the generation being abandoned after a failure: waiting threads give up. */
  ABORT: 8,
  BATCH_START: 9,
  BATCH_SIZE: 10,
  /** Set to 1 by a reducer that meets a NaN or ±Inf gradient. */
  NON_FINITE: 12,
  /** Global step index, for messages and fault injection. */
  STEP: 13,
  /** Workers that finished set-up. */
  READY: 14,
  /** Fault injection (tests only): remaining faults to inject, at step FAULT_STEP. */
  FAULTS_LEFT: 15,
  FAULT_STEP: 16,
  /** Which of the two parameter/optimizer-state buffers is committed (0 or 1). */
  CURRENT: 17,
} as const;

export const Command = { IDLE: 0, TRAIN: 1, EVAL: 2, STOP: 3 } as const;

/**
 * How long a thread spins on a slot before sleeping. Waking a sleeper costs ~25–55 µs here, about
 * a tenth of a small step, so with a core per thread it pays to spin through the coordinator's
 * update between steps and the short serial work at an epoch's end (2 ms; measured 50, 500 and
 * 5000 µs on the small net: within this machine's noise, 50 µs the slowest). With more threads than cores a spinner
 * steals the core another thread
 * needs, so it sleeps almost at once.
 */
export function spinMicrosFor(threads: number, cores: number): number {
  return threads <= cores ? 2000 : 20;
}

/**
 * Synchronous wait (worker threads only) until `control[slot]` differs from `value`, spinning
 * first. Returns false when `giveUp()` says to stop waiting.
 */
export function waitWhileEquals(
  control: Int32Array,
  slot: number,
  value: number,
  spinMicros: number,
  giveUp: () => boolean,
): boolean {
  const spinUntil = performance.now() + spinMicros / 1000;
  while (Atomics.load(control, slot) === value) {
    if (performance.now() < spinUntil) continue;
    if (giveUp()) return false;
    Atomics.wait(control, slot, value, 50);
  }
  return true;
}

/** Synchronous wait until `control[slot]` reaches `target` (a counter that only grows). */
export function waitForCount(
  control: Int32Array,
  slot: number,
  target: number,
  spinMicros: number,
  giveUp: () => boolean,
): boolean {
  const spinUntil = performance.now() + spinMicros / 1000;
  for (;;) {
    const current = Atomics.load(control, slot);
    if (current >= target) return true;
    if (performance.now() < spinUntil) continue;
    if (giveUp()) return false;
    Atomics.wait(control, slot, current, 50);
  }
}

/**
 * NEXT_CHUNK and NEXT_RANGE carry the phase's tag (generation mod 2^11) above a 20-bit index, and
 * threads grab with compare-exchange: a thread that read an old generation and is slow to grab
 * cannot take an index of the next phase by mistake.
 */
export const INDEX_BITS = 20;
export const MAX_PHASE_ITEMS = 1 << INDEX_BITS;
const TAG_MASK = (1 << 11) - 1;

export function taggedStart(generation: number): number {
  return (generation & TAG_MASK) << INDEX_BITS;
}

/** Takes the next index below `count` for phase `generation`, or returns -1 when there is none. */
export function grab(control: Int32Array, slot: number, generation: number, count: number): number {
  const tag = taggedStart(generation);
  for (;;) {
    const current = Atomics.load(control, slot);
    const index = current - tag;
    if (index < 0 || index >= count) return -1;
    if (Atomics.compareExchange(control, slot, current, current + 1) === current) return index;
  }
}

/** Adds one to a counter and wakes its waiters when it reaches `target`. */
export function countUp(control: Int32Array, slot: number, target: number): void {
  if (Atomics.add(control, slot, 1) + 1 >= target) Atomics.notify(control, slot);
}
