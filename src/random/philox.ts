/**
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011): a counter-based generator. Its output is a pure function of a 128-bit counter and a
 * 64-bit key, so any thread can draw "the random number of element (step, sample, unit)" without
 * a stream that would have to be advanced in some order. It is what PyTorch and JAX use on GPUs
 * for the same reason; test/random/philox.test.ts checks it against the authors' known answers.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
/** The Weyl sequence that bumps the key between rounds: the golden ratio and √3 − 1, in 32 bits. */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const ROUNDS = 10;

/** The high 32 bits of the 64-bit product of two uint32 (16-bit halves keep every partial product exact). */
function mulHigh(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const lowHigh = aLow * bHigh;
  const highLow = aHigh * bLow;
  const carry = ((lowLow >>> 16) + (lowHigh & 0xffff) + (highLow & 0xffff)) >>> 16;
  return (aHigh * bHigh + (lowHigh >>> 16) + (highLow >>> 16) + carry) >>> 0;
}

/**
 * The four uint32 words of Philox4x32-10 at counter (c0, c1, c2, c3) and key (k0, k1), written
 * into `out` (no allocation: the dropout mask calls this once per four units of every row).
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < ROUNDS; round++) {
    const high0 = mulHigh(M0, x0);
    const low0 = Math.imul(M0, x0) >>> 0;
    const high1 = mulHigh(M1, x2);
    const low1 = Math.imul(M1, x2) >>> 0;
    x0 = (high1 ^ x1 ^ key0) >>> 0;
    x1 = low1;
    x2 = (high0 ^ x3 ^ key1) >>> 0;
    x3 = low0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}
