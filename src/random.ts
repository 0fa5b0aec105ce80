/**
 * Seeded pseudo-random numbers (mulberry32 over a splitmix-style mixed seed). Every random choice
 * in shardprop — weight init, data order, synthetic data — comes from one of these, derived from
 * the run's seed and a named stream, so results are reproducible and streams independent.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** An RNG for (seed, ...stream): e.g. createRng(seed, STREAM_ORDER, epoch). */
export function createRng(seed: number, ...stream: number[]): Rng {
  let state = mix((seed >>> 0) ^ 0x9e3779b9);
  for (const s of stream) state = mix(state ^ mix((s >>> 0) + 0x6d2b79f5));
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      const u = 1 - next(); // (0, 1]: log is finite
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    int(n) {
      return Math.floor(next() * n);
    },
  };
}

/** Fisher–Yates permutation of 0..n-1 driven by `rng`. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** Named streams so that, e.g., changing the init never changes the data order. */
export const STREAM = { init: 1, order: 2, split: 3, synthetic: 4 } as const;
