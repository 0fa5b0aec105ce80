// Reads a cold operand in address order, one load per 64-byte line, so the hardware prefetcher
// streams it into cache before a packer walks it in column strips: 96 bytes of each row, rows
// 2 KiB apart, is one demand miss at a time, and the weights of a 784-512 layer are cold at
// every forward (the whole step's data went through the cache since). Measured per 128-row
// chunk: x·W1 1580→1160 µs, x·W2 1770→1520, xᵀ·dout into the cold dW1 1410→1140, and
// dout·W2ᵀ (its packer reads 64 floats of each of 24 rows) 1580→1520. Operands under
// WARM_FROM_BYTES stay cached from step to step (the 784-50-10 net's 157 KB weights): there
// the sweep only cost time (~2% of that net's step).
const WARM_FROM_BYTES: usize = 512 << 10;
let sink: i32 = 0;

/** Sweeps `bytes` from `from` when `total`, the size of the whole operand, is too big to stay cached. */
export function warm(from: usize, bytes: usize, total: usize): void {
  if (total < WARM_FROM_BYTES) return;
  let x: i32 = 0;
  for (let p: usize = 0; p < bytes; p += 64) x ^= load<i32>(from + p);
  sink ^= x; // keeps the loads: a result nobody reads could be optimized away
}
