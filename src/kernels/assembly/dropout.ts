// Dropout's mask: Philox4x32-10 (Salmon et al. 2011) of (unit block, sample, step, layer) under the
// key (seed, key1), as src/random/dropout-mask.ts defines it. The 32×32→64-bit products that cost
// JavaScript four multiplications each are one i64 multiplication here.

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/**
 * mask[i·units + u] = 0 where word (u mod 4) of Philox(counter (u >> 2, samples[first + i], step, layer),
 * key (seed, key1)) is below `threshold` (unsigned), else `keep`; for rows i < rows.
 */
export function dropoutMask(
  mask: usize,
  rows: i32,
  units: i32,
  threshold: u32,
  keep: f32,
  samples: usize,
  first: i32,
  seed: u32,
  step: u32,
  layer: u32,
  key1: u32,
): void {
  for (let i = 0; i < rows; i++) {
    const sample = load<u32>(samples + (<usize>(first + i) << 2));
    const row = mask + ((<usize>i * <usize>units) << 2);
    for (let block = 0; block << 2 < units; block++) {
      let x0 = <u32>block, x1 = sample, x2 = step, x3 = layer, k0 = seed, k1 = key1;
      for (let round = 0; round < 10; round++) {
        const p0 = M0 * <u64>x0, p1 = M1 * <u64>x2;
        x0 = <u32>(p1 >> 32) ^ x1 ^ k0;
        x1 = <u32>p1;
        x2 = <u32>(p0 >> 32) ^ x3 ^ k1;
        x3 = <u32>p0;
        k0 += W0;
        k1 += W1;
      }
      const at = row + (<usize>block << 4), lanes = min(4, units - (block << 2));
      store<f32>(at, x0 < threshold ? 0 : keep);
      if (lanes > 1) store<f32>(at + 4, x1 < threshold ? 0 : keep);
      if (lanes > 2) store<f32>(at + 8, x2 < threshold ? 0 : keep);
      if (lanes > 3) store<f32>(at + 12, x3 < threshold ? 0 : keep);
    }
  }
}
