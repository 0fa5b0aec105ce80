// Gradient-slot reduction, four slots per call. The caller walks the slots in index order:
// the first call starts from 0, later calls continue from `out`, and the last one multiplies the
// finished sum by `scale` once. So each element is ((0 + s0) + s1) + … in f32, then × scale.

/**
 * out = (first ? 0 : out) + s0 + … + s(count−1), then × scale when `last`. count is 1..4.
 * Returns 0 when a value written is NaN or ±Inf, else 1: x·0 is 0 for finite x and NaN otherwise,
 * so one running sum of x·0 checks the gradient for free while it is in registers.
 */
export function reduceSlots4(out: usize, s0: usize, s1: usize, s2: usize, s3: usize, count: i32,
                             len: i32, first: bool, last: bool, scale: f32): i32 {
  const vscale = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  let probe = zero;
  let probeTail: f32 = 0;
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    let sum = first ? f32x4.splat(0) : v128.load(out + o);
    sum = f32x4.add(sum, v128.load(s0 + o));
    if (count > 1) sum = f32x4.add(sum, v128.load(s1 + o));
    if (count > 2) sum = f32x4.add(sum, v128.load(s2 + o));
    if (count > 3) sum = f32x4.add(sum, v128.load(s3 + o));
    const result = last ? f32x4.mul(sum, vscale) : sum;
    probe = f32x4.add(probe, f32x4.mul(result, zero));
    v128.store(out + o, result);
  }
  for (; o < end; o += 4) {
    let sum: f32 = first ? 0 : load<f32>(out + o);
    sum += load<f32>(s0 + o);
    if (count > 1) sum += load<f32>(s1 + o);
    if (count > 2) sum += load<f32>(s2 + o);
    if (count > 3) sum += load<f32>(s3 + o);
    const result: f32 = last ? sum * scale : sum;
    probeTail += result * 0;
    store<f32>(out + o, result);
  }
  const total = f32x4.extract_lane(probe, 0) + f32x4.extract_lane(probe, 1) +
                f32x4.extract_lane(probe, 2) + f32x4.extract_lane(probe, 3) + probeTail;
  return total == 0 ? 1 : 0;
}
