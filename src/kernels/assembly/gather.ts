// Gathering a chunk's rows from the dataset by the epoch's order: a plain SIMD copy. Done in JS,
// copies between views of shared memory take a slow, element-wise path in V8.

/** out[r] = source[order[first + r]] for r < rows, each row `width` floats. */
export function gatherRows(source: usize, order: usize, first: i32, rows: i32, width: i32, out: usize): void {
  const rowBytes = <usize>width << 2, body = rowBytes & ~15;
  for (let r = 0; r < rows; r++) {
    const from = source + <usize>load<u32>(order + (<usize>(first + r) << 2)) * rowBytes;
    const to = out + <usize>r * rowBytes;
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(to + o, v128.load(from + o));
    for (; o < rowBytes; o += 4) store<f32>(to + o, load<f32>(from + o));
  }
}
