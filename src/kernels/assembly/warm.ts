// Reads a cold operand in address order, one load per 64-byte line, so the hardware prefetcher
// streams it into cache before a packer walks it in column strips: 96 bytes of each row, rows
// 2 KiB apart, is one demand miss at a time, and the weights of a 784-512 layer are cold at
// every forward (the whole step's data went through the cache since). Operands under
// WARM_FROM_BYTES stay cached from step to step (the 784-50-10 net's weights), where the sweep
// would only cost time. The measurements: docs/performance.md.
const WARM_FROM_BYTES: usize = 512 << 10;
let sink: i32 = 0;

/** Sweeps `bytes` from `from` when `total`, the size of the whole operand, is too big to stay cached. */
export function warm(from: usize, bytes: usize, total: usize): void {
  if (total < WARM_FROM_BYTES) return;
  let x: i32 = 0;
  for (let p: usize = 0; p < bytes; p += 64) x ^= load<i32>(from + p);
  sink ^= x; // keeps the loads: a result nobody reads could be optimized away
}
