import { errors } from '../errors.ts';
import type { Allocator } from '../tensor.ts';
import { alignedFloats, type ArenaLayout, type Region } from './layout.ts';

/** Wasm memory is addressed with 32 bits: one arena holds at most 4 GiB. */
export const MAX_ARENA_BYTES = 2 ** 32;
const PAGE_BYTES = 65536;

/** A shared WebAssembly.Memory big enough for the layout; its .buffer is a SharedArrayBuffer. */
export function createArenaMemory(layout: ArenaLayout): WebAssembly.Memory {
  const pages = Math.ceil(layout.bytes / PAGE_BYTES);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Typed views of every region; built once per thread. */
export interface ArenaViews {
  readonly control: Int32Array;
  readonly stats: Float64Array;
  readonly params: Float32Array[];
  readonly grads: Float32Array;
  readonly optimizerState: Float32Array[][];
  readonly slots: Float32Array[];
  /** Float32, or bytes decoded through inputValues (layout.bytesPerInput 1). */
  readonly trainInputs: Float32Array | Uint8Array;
  readonly trainTargets: Float32Array;
  readonly testInputs: Float32Array | Uint8Array;
  readonly testTargets: Float32Array;
  readonly inputValues: Float32Array;
  readonly order: Uint32Array;
  readonly scratch: Float32Array[];
  readonly clipSums: Float64Array;
  readonly classWeights: Float32Array;
  readonly buffers: Float32Array[];
  readonly batchNorm: Float64Array;
}

export function arenaViews(memory: WebAssembly.Memory, layout: ArenaLayout): ArenaViews {
  const buffer = memory.buffer;
  const f32 = (r: Region) => new Float32Array(buffer, r.offset, r.length);
  const inputs = (r: Region) => (layout.bytesPerInput === 1 ? new Uint8Array(buffer, r.offset, r.length) : f32(r));
  return {
    control: new Int32Array(buffer, layout.control.offset, layout.control.length),
    stats: new Float64Array(buffer, layout.stats.offset, layout.stats.length),
    params: layout.params.map(f32),
    grads: f32(layout.grads),
    optimizerState: layout.optimizerState.map((buffer) => buffer.map(f32)),
    slots: layout.slots.map(f32),
    trainInputs: inputs(layout.trainInputs),
    trainTargets: f32(layout.trainTargets),
    testInputs: inputs(layout.testInputs),
    testTargets: f32(layout.testTargets),
    inputValues: f32(layout.inputValues),
    order: new Uint32Array(buffer, layout.order.offset, layout.order.length),
    scratch: layout.scratch.map(f32),
    clipSums: new Float64Array(buffer, layout.clipSums.offset, layout.clipSums.length),
    classWeights: f32(layout.classWeights),
    buffers: layout.buffers.map(f32),
    batchNorm: new Float64Array(buffer, layout.batchNorm.offset, layout.batchNorm.length),
  };
}

/** Hands out consecutive 64-byte-aligned pieces of `region`; throws when it runs out. */
export function bumpAllocator(region: Float32Array): Allocator {
  let used = 0;
  return {
    floats(count) {
      const size = alignedFloats(count);
      if (used + size > region.length)
        throw new Error(`scratch region exhausted: ${used + size} > ${region.length} floats`);
      const view = region.subarray(used, used + count);
      used += size;
      return view;
    },
  };
}

/** Measures what a bump allocator would hand out, using throwaway heap arrays. */
export function countingAllocator(): Allocator & { readonly total: number } {
  let total = 0;
  return {
    get total() {
      return total;
    },
    floats(count) {
      total += alignedFloats(count);
      return new Float32Array(count);
    },
  };
}

/** The run's arena, or a clean error naming the size when the machine cannot give it. */
export function allocateArena(layout: ArenaLayout): WebAssembly.Memory {
  try {
    return createArenaMemory(layout);
  } catch (error) {
    throw errors.arenaTooLarge(layout.bytes, (error as Error).message);
  }
}
