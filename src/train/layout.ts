/**
 * Where everything lives in the run's shared arena. Computed once, before training, from the
 * model plan and the config; the same plain object goes to every worker, so all threads see one
 * layout and no step allocates. Offsets are in bytes, lengths in elements.
 */
export interface Region {
  readonly offset: number;
  readonly length: number;
}

export interface ArenaLayout {
  readonly bytes: number;
  readonly control: Region; // Int32: the control block (control.ts)
  readonly stats: Region; // Float64: [lossSum, correct, count] per chunk
  // Parameters and optimizer state are double-buffered: a step's update writes the other buffer,
  // and only the coordinator makes it current (control.ts CURRENT), after every range is done. So
  // the update can run in parallel and a crash mid-update still leaves the committed state whole.
  readonly params: Region[]; // Float32 ×2: the flat parameter vector
  readonly grads: Region; // Float32: the reduced, averaged gradient
  readonly optimizerState: Region[][]; // Float32 [buffer][j]: e.g. Adam's m and v, same layout as params
  readonly slots: Region[]; // Float32: one gradient SUM per chunk, same layout as params
  readonly bytesPerInput: 1 | 4; // inputs are Float32, or bytes (image data) decoded through inputValues
  readonly trainInputs: Region;
  readonly trainTargets: Region;
  readonly testInputs: Region;
  readonly testTargets: Region;
  readonly inputValues: Region; // Float32 ×256: the value of each input byte (unused for float inputs)
  readonly order: Region; // Uint32: this epoch's order of the training rows
  readonly scratch: Region[]; // Float32: one per compute thread (model buffers, gathered rows)
  readonly clipSums: Region; // Float64: Σg² of each reduce range (train.clipGradientNorm; else empty)
  readonly classWeights: Region; // Float32: one loss weight per class (train.classWeights; else empty)
  // Batch norm only (empty otherwise, so other models' layout is unchanged): the running statistics,
  // double-buffered and committed with the parameters, and the per-chunk partial sums (float64) of
  // the statistics phases (batch-norm-stages.ts).
  readonly buffers: Region[]; // Float32 ×2: the flat buffer vector (plan.bufferCount)
  readonly batchNorm: Region; // Float64
}

export interface LayoutSpec {
  /** Bytes below this belong to the WebAssembly kernels module. */
  readonly reservedBytes: number;
  readonly paramCount: number;
  readonly optimizerStateCount: number;
  readonly chunks: number;
  readonly statsEntries: number;
  readonly features: number;
  /** 1: inputs stored as bytes (src/data/types.ts ByteInputs); 4: float32. */
  readonly bytesPerInput: 1 | 4;
  readonly trainCount: number;
  readonly testCount: number;
  /** Target values per row: 1 (a class index) or a regressor's outputs (default 1). */
  readonly targetWidth?: number;
  readonly threads: number;
  readonly scratchFloats: number;
  /** Reduce ranges when gradients are clipped (one float64 sum each), else 0. */
  readonly clipRanges?: number;
  /** Classes when the loss is class-weighted, else 0. */
  readonly weightedClasses?: number;
  /** Batch norm's running statistics (plan.bufferCount) and its partial sums (batchNormPartialCount). */
  readonly bufferCount?: number;
  readonly batchNormPartials?: number;
}

/** Regions start on 64-byte boundaries (a cache line; also aligns SIMD loads). */
export const ALIGN_BYTES = 64;
const align = (bytes: number) => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;
export const CONTROL_INTS = 64;

export function layoutArena(spec: LayoutSpec): ArenaLayout {
  let cursor = align(spec.reservedBytes);
  const take = (length: number, bytesPerElement: number): Region => {
    const region = { offset: cursor, length };
    cursor = align(cursor + length * bytesPerElement);
    return region;
  };
  const floats = (length: number) => take(length, 4);
  const many = (count: number, length: number) => Array.from({ length: count }, () => floats(length));
  const layout = {
    control: take(CONTROL_INTS, 4),
    stats: take(spec.statsEntries * 3, 8),
    params: many(2, spec.paramCount),
    grads: floats(spec.paramCount),
    optimizerState: [0, 1].map(() => many(spec.optimizerStateCount, spec.paramCount)),
    slots: many(spec.chunks, spec.paramCount),
    trainInputs: take(spec.trainCount * spec.features, spec.bytesPerInput),
    trainTargets: floats(spec.trainCount * (spec.targetWidth ?? 1)),
    testInputs: take(spec.testCount * spec.features, spec.bytesPerInput),
    testTargets: floats(spec.testCount * (spec.targetWidth ?? 1)),
    inputValues: floats(256),
    order: take(spec.trainCount, 4),
    scratch: many(spec.threads, spec.scratchFloats),
    clipSums: take(spec.clipRanges ?? 0, 8),
    classWeights: floats(spec.weightedClasses ?? 0),
    buffers: many(2, spec.bufferCount ?? 0),
    batchNorm: take(spec.batchNormPartials ?? 0, 8),
  };
  return { ...layout, bytesPerInput: spec.bytesPerInput, bytes: cursor };
}

/** Rounds an allocation up to whole 64-byte lines, as the arena's bump allocator does. */
export function alignedFloats(count: number): number {
  return align(count * 4) / 4;
}
