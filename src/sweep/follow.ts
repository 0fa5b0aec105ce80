/** A queued sweep as a worker sees it. */
export interface QueueWork {
  name: string;
  /** Trials waiting to be taken. */
  waiting: number;
  /** Trials being trained, by this worker or others (or by a worker that died: stalled until checked). */
  active: number;
}

/**
 * Which sweep a worker serves, given the sweeps in the order they were submitted. Trials waiting come
 * first: stay on the current sweep while it has some, else take the oldest sweep that has some. When
 * nothing waits anywhere, stay on (or go to) a sweep with trials in progress: only a worker serving a
 * queue checks it for stalled trials, so this is how the trial of a worker that died gets back to the
 * queue, and to this worker. Null: nothing to do.
 */
export function chooseQueue(sweeps: readonly QueueWork[], current: string | null): string | null {
  const mine = sweeps.find((s) => s.name === current);
  if (mine && mine.waiting > 0) return mine.name;
  const waiting = sweeps.find((s) => s.waiting > 0);
  if (waiting) return waiting.name;
  if (mine && mine.active > 0) return mine.name;
  return sweeps.find((s) => s.active > 0)?.name ?? null;
}
