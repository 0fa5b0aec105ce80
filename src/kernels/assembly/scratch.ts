// Packing buffers for the matrix products, in the module's reserved low bytes of the shared
// memory. Every thread's instance sees the same bytes, so a buffer is claimed per call with an
// atomic compare-exchange and released before returning. Packing moves data, never changes the
// arithmetic, so which buffer (or none) a call gets cannot change its result.
import { SPARSE_PANEL_BYTES } from './sparsemask';

/** Reduction steps per packed panel of the dense path: 256 steps × 8 floats = 8 KiB, L1-resident with the tile's A. */
export const KC: i32 = 256;
// A panel holds either path's packing: the dense 8 KiB, or the zero-skipping path's 24 KiB
// strip and its masks (sparsemask.ts), rounded up to 4 KiB.
const PANEL_BYTES: usize = (max(<usize>KC * 8 * 4, SPARSE_PANEL_BYTES) + 4095) & ~4095;
// Static data (the f32/f64 math tables) starts at 1024 and ends below LOCKS; the test checks
// staticDataEnd(). The panels end below WASM_RESERVED_BYTES (wasm.ts), the first byte tensors
// may use; the test checks panelsEnd(). One panel per thread that can run a product at once:
// a thread finding none runs the scalar fallback (same bits, 0.8 GFLOP/s, ~50× slower), so
// there are enough for a 64-core machine. Memory no call touches is never paged in.
const LOCKS: usize = 12288;         // one i32 lock word per panel
const FIRST_PANEL: usize = 16384;
export const PANELS: i32 = 64;

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

/** The first byte after the panels. */
export function panelsEnd(): usize {
  return FIRST_PANEL + <usize>PANELS * PANEL_BYTES;
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
