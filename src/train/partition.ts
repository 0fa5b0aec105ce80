/**
 * How a batch is cut into chunks and the parameter vector into reduce ranges: from the config,
 * never from the thread count.
 */

/** Rows [start, end) of chunk c when a batch of `size` rows is cut into `chunks` near-equal pieces. */
export function chunkBounds(size: number, chunks: number, c: number): [number, number] {
  return [Math.floor((c * size) / chunks), Math.floor(((c + 1) * size) / chunks)];
}

/** Elements [start, end) of reduce range r; boundaries on multiples of 16 floats (64 bytes). */
export function rangeBounds(total: number, ranges: number, r: number): [number, number] {
  const edge = (i: number) => (i >= ranges ? total : Math.min(total, Math.floor((i * total) / ranges / 16) * 16));
  return [edge(r), edge(r + 1)];
}

/**
 * Ranges of ~4096 parameters, at most 64. The count depends on the model alone, never on the
 * worker count, so the update kernels see the same range boundaries (and SIMD tails) in every run.
 */
export function rangeCountFor(paramCount: number): number {
  return Math.max(1, Math.min(Math.ceil(paramCount / 4096), 64));
}
