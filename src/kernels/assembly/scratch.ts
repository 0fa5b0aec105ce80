// Packing buffers for the matrix products, in the module's reserved low 64 KiB of the shared
// memory. Every thread's instance sees the same bytes, so a buffer is claimed per call with an
// atomic compare-exchange and released before returning. Packing moves data, never changes the
// arithmetic, so which buffer (or none) a call gets cannot change its result.

/** Reduction steps per packed panel: 256 steps × 8 floats = 8 KiB, L1-resident with the tile's A. */
export const KC: i32 = 256;
const PANEL_BYTES: usize = <usize>KC * 8 * 4;
// Static data (the f32/f64 math tables) starts at 1024 and ends below LOCKS; the test checks
// staticDataEnd(). The panels end exactly at 65536, the first byte tensors may use.
const LOCKS: usize = 12288;         // one i32 lock word per panel
const FIRST_PANEL: usize = 16384;
export const PANELS: i32 = 6;

/** End of the module's static data, for the test that it does not overlap the panel locks. */
export function staticDataEnd(): usize {
  return __heap_base;
}

/** Address of the lock words, so a test can hold every panel and exercise the fallback. */
export function panelLocks(): usize {
  return LOCKS;
}

export function panelCount(): i32 {
  return PANELS;
}

/** Claims a free panel and returns its address, or 0 when all are busy (caller falls back). */
export function claimPanel(): usize {
  for (let s = 0; s < PANELS; s++) {
    const lock = LOCKS + (<usize>s << 2);
    if (atomic.load<i32>(lock) == 0 && atomic.cmpxchg<i32>(lock, 0, 1) == 0) {
      return FIRST_PANEL + <usize>s * PANEL_BYTES;
    }
  }
  return 0;
}

export function releasePanel(panel: usize): void {
  const s = (panel - FIRST_PANEL) / PANEL_BYTES;
  atomic.store<i32>(LOCKS + (s << 2), 0);
}
