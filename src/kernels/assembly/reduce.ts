// Gradient-slot reduction, four slots per call. The caller walks the slots in index order:
// the first call starts from 0, later calls continue from `out`, and the last one multiplies the
// finished sum by `scale` once. So each element is ((0 + s0) + s1) + … in f32, then × scale.

/** out = (first ? 0 : out) + s0 + … + s(count−1), then × scale when `last`. count is 1..4. */
export function reduceSlots4(out: usize, s0: usize, s1: usize, s2: usize, s3: usize, count: i32,
                             len: i32, first: bool, last: bool, scale: f32): void {
  const vscale = f32x4.splat(scale);
  const end = <usize>len << 2, body = end & ~15;
  let o: usize = 0;
  for (; o < body; o += 16) {
    let sum = first ? f32x4.splat(0) : v128.load(out + o);
    sum = f32x4.add(sum, v128.load(s0 + o));
    if (count > 1) sum = f32x4.add(sum, v128.load(s1 + o));
    if (count > 2) sum = f32x4.add(sum, v128.load(s2 + o));
    if (count > 3) sum = f32x4.add(sum, v128.load(s3 + o));
    v128.store(out + o, last ? f32x4.mul(sum, vscale) : sum);
  }
  for (; o < end; o += 4) {
    let sum: f32 = first ? 0 : load<f32>(out + o);
    sum += load<f32>(s0 + o);
    if (count > 1) sum += load<f32>(s1 + o);
    if (count > 2) sum += load<f32>(s2 + o);
    if (count > 3) sum += load<f32>(s3 + o);
    store<f32>(out + o, last ? sum * scale : sum);
  }
}
