/**
 * A reusable barrier for the benchmarks' threads on one shared Int32 counter: spins briefly (both
 * threads usually arrive within microseconds), then sleeps, so that a thread descheduled on a
 * loaded machine does not leave the other one spinning through its whole time slice.
 */
const SPINS = 20_000;

/** Waits until `parties` threads have called this `generation` times (1, 2, 3, … per thread). */
export function barrierWait(counter: Int32Array, parties: number, generation: number): void {
  const target = parties * generation;
  if (Atomics.add(counter, 0, 1) + 1 === target) {
    Atomics.notify(counter, 0);
    return;
  }
  for (let spin = 0; ; spin++) {
    const arrived = Atomics.load(counter, 0);
    if (arrived >= target) return;
    if (spin >= SPINS) Atomics.wait(counter, 0, arrived, 10);
  }
}
