// Gathering a chunk's rows from the dataset by the epoch's order: a plain SIMD copy. Done in JS,
// copies between views of shared memory take a slow, element-wise path in V8.

/** out[r] = source[order[first + r]] for r < rows, each row `width` floats. */
export function gatherRows(source: usize, order: usize, first: i32, rows: i32, width: i32, out: usize): void {
  const rowBytes = <usize>width << 2, lines = rowBytes & ~63;
  let r = 0;
  // Four rows at a time, a cache line of each in turn: four streams of misses in flight instead
  // of one (the rows are scattered over the dataset, mostly out of cache).
  for (; r + 4 <= rows; r += 4) {
    const f0 = rowAt(source, order, first + r, rowBytes), f1 = rowAt(source, order, first + r + 1, rowBytes);
    const f2 = rowAt(source, order, first + r + 2, rowBytes), f3 = rowAt(source, order, first + r + 3, rowBytes);
    const t0 = out + <usize>r * rowBytes, t1 = t0 + rowBytes, t2 = t1 + rowBytes, t3 = t2 + rowBytes;
    let o: usize = 0;
    for (; o < lines; o += 64) {
      copyLine(f0 + o, t0 + o); copyLine(f1 + o, t1 + o); copyLine(f2 + o, t2 + o); copyLine(f3 + o, t3 + o);
    }
    copyTail(f0, t0, o, rowBytes); copyTail(f1, t1, o, rowBytes); copyTail(f2, t2, o, rowBytes); copyTail(f3, t3, o, rowBytes);
  }
  for (; r < rows; r++) copyTail(rowAt(source, order, first + r, rowBytes), out + <usize>r * rowBytes, 0, rowBytes);
}

// @ts-ignore: decorator
@inline function rowAt(source: usize, order: usize, index: i32, rowBytes: usize): usize {
  return source + <usize>load<u32>(order + (<usize>index << 2)) * rowBytes;
}

// @ts-ignore: decorator
@inline function copyLine(from: usize, to: usize): void {
  v128.store(to, v128.load(from)); v128.store(to, v128.load(from, 16), 16);
  v128.store(to, v128.load(from, 32), 32); v128.store(to, v128.load(from, 48), 48);
}

/** Bytes [o, rowBytes) of one row: whole vectors, then floats. */
// @ts-ignore: decorator
@inline function copyTail(from: usize, to: usize, o: usize, rowBytes: usize): void {
  const body = rowBytes & ~15;
  for (; o < body; o += 16) v128.store(to + o, v128.load(from + o));
  for (; o < rowBytes; o += 4) store<f32>(to + o, load<f32>(from + o));
}

// Image data is stored as bytes (a quarter of the memory and of the traffic) and decoded here,
// through the run's table of 256 float32 values, as a chunk gathers its rows: the table holds what
// the float path would have stored, so the decoded rows are the same bit for bit.

/**
 * out[r] = values[source row order[first + r]] for r < rows, rows of `width` bytes decoded to
 * floats. order 0 means rows first, first + 1, … in place (byte 0 is the module's own memory,
 * never an arena region).
 */
export function gatherByteRows(
  source: usize, values: usize, order: usize, first: i32, rows: i32, width: i32, out: usize,
): void {
  const rowBytes = <usize>width;
  for (let r = 0; r < rows; r++) {
    const row: usize = order ? <usize>load<u32>(order + (<usize>(first + r) << 2)) : <usize>(first + r);
    decodeRow(source + row * rowBytes, values, rowBytes, out + <usize>r * (rowBytes << 2));
  }
}

/** to[j] = values[from[j]] for j < width: four bytes per load. */
// @ts-ignore: decorator
@inline function decodeRow(from: usize, values: usize, width: usize, to: usize): void {
  let j: usize = 0;
  for (; j + 4 <= width; j += 4) {
    const four = <usize>load<u32>(from + j), t = to + (j << 2);
    // Each byte of the little-endian word, times 4: its value's offset in the table.
    store<f32>(t, load<f32>(values + ((four << 2) & 1020)));
    store<f32>(t, load<f32>(values + ((four >> 6) & 1020)), 4);
    store<f32>(t, load<f32>(values + ((four >> 14) & 1020)), 8);
    store<f32>(t, load<f32>(values + ((four >> 22) & 1020)), 12);
  }
  for (; j < width; j++) store<f32>(to + (j << 2), load<f32>(values + (<usize>load<u8>(from + j) << 2)));
}
