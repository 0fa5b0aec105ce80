// Reads `bytes` from `from` in address order, one load per 64-byte line, so the hardware
// prefetcher streams the lines into cache before a packer walks them column-strip by strip.
let sink: i32 = 0;

export function warm(from: usize, bytes: usize): void {
  let x: i32 = 0;
  for (let p: usize = 0; p < bytes; p += 64) x ^= load<i32>(from + p);
  sink ^= x;
}
