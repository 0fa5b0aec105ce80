/**
 * The control block: Int32 words in shared memory through which the coordinator and the workers
 * hand work over without messages. Named slots, never bare indices (cf. piscina's symbols.ts).
 * What the words mean and who writes each is the phase protocol (phase.ts, docs/protocol.md).
 */
export const Slot = {
  /** Seqlock over the phase descriptor: 2·generation when stable, odd while the coordinator writes it. */
  SEQUENCE: 0,
  // The phase descriptor: written only by the coordinator, only while SEQUENCE is odd.
  COMMAND: 1,
  /** Ticket base of the phase: its chunk and range tickets are BASE … BASE + count − 1. */
  BASE: 2,
  CHUNK_COUNT: 3,
  RANGE_COUNT: 4,
  BATCH_START: 5,
  BATCH_SIZE: 6,
  /** Global step index (0-based), for messages and Adam's bias correction. */
  STEP: 7,
  /** Which of the two parameter/optimizer-state buffers the phase reads (0 or 1). */
  PARAMS: 8,
  /** STATS phases only: which statistics stage of the step (batch-norm-stages.ts). */
  STAGE: 9,
  // Ticket counters: threads move them forward with compare-exchange, inside the phase's window only.
  NEXT_CHUNK: 16,
  CHUNKS_DONE: 17,
  NEXT_RANGE: 18,
  RANGES_DONE: 19,
  /** Set to 1 by a reducer that meets a NaN or ±Inf gradient; reset by every publish. */
  NON_FINITE: 20,
  /** Workers that finished set-up. */
  READY: 21,
} as const;

/**
 * UPDATE (only with train.clipGradientNorm): ranges only, after a TRAIN phase that reduced without
 * updating; each range scales its piece of the gradient by the clip factor and applies the optimizer.
 * STATS (only with batch norm): a statistics stage of a training step (chunks only), published before its TRAIN.
 */
export const Command = { IDLE: 0, TRAIN: 1, EVAL: 2, STOP: 3, UPDATE: 4, STATS: 5 } as const;

/**
 * The shared-memory operations the protocol is written with. Production threads use `atomicWords`
 * (plain Atomics on the control block); the interleaving test supplies an implementation that
 * stops a thread before any access, so every ordering of the threads' accesses can be explored.
 */
export interface ControlWords {
  load(slot: number): number;
  store(slot: number, value: number): void;
  /** Atomics.compareExchange: returns the value found (the exchange happened iff it equals `expected`). */
  compareExchange(slot: number, expected: number, replacement: number): number;
  notify(slot: number): void;
  /** Blocks while `slot` holds `value`; may return early (the caller re-checks what it waits for). */
  wait(slot: number, value: number): void;
}

/**
 * How long a thread spins on a slot before sleeping. Waking a sleeper costs ~25–55 µs here, about
 * a tenth of a small step, so with a core per thread it pays to spin through the coordinator's
 * serial work between steps; with more threads than cores a spinner steals the core another
 * thread needs, so it sleeps almost at once (docs/performance.md has the measurements).
 */
export function spinMicrosFor(threads: number, cores: number): number {
  return threads <= cores ? 2000 : 20;
}

/** The control block through Atomics. `wait` spins for `spinMicros`, then sleeps (worker threads only). */
export function atomicWords(control: Int32Array, spinMicros: number): ControlWords {
  return {
    load: (slot) => Atomics.load(control, slot),
    store: (slot, value) => void Atomics.store(control, slot, value),
    compareExchange: (slot, expected, replacement) => Atomics.compareExchange(control, slot, expected, replacement),
    notify: (slot) => void Atomics.notify(control, slot),
    wait(slot, value) {
      const spinUntil = performance.now() + spinMicros / 1000;
      // The clock only every 256 loads: performance.now() allocates its result (measured: a young-
      // generation collection every ~50 ms of spinning in a worker), a load does not.
      for (let spins = 1; Atomics.load(control, slot) === value; spins++) {
        if ((spins & 255) === 0 && performance.now() >= spinUntil) {
          Atomics.wait(control, slot, value, 50);
          return;
        }
      }
    },
  };
}
