/**
 * Shared by the wasm kernel tests: an arena of shared WebAssembly memory handing out views above
 * the module's reserved bytes, seeded random fills, and the error measure the tests assert on.
 */
import { WASM_RESERVED_BYTES, carve } from '../../src/kernels/wasm.ts';
import { compileKernelBuild, relaxedSimdAvailable, type KernelBuild } from '../../src/kernels/wasm-build.ts';
import type { Rng } from '../../src/random.ts';

/** Every kernel build this engine runs, compiled: the product tests hold for each of them. */
export const KERNEL_BUILDS: readonly { name: KernelBuild; module: WebAssembly.Module }[] = (
  relaxedSimdAvailable() ? (['plain', 'fma'] as const) : (['plain'] as const)
).map((name) => ({ name, module: compileKernelBuild(name) }));

export interface Arena {
  readonly memory: WebAssembly.Memory;
  /** A fresh view of `length` floats (64-byte aligned), filled from `values`, else zeroed. */
  take(length: number, values?: ArrayLike<number>): Float32Array;
  /** Forget every view handed out (the memory is reused by the next test). */
  reset(): void;
}

export function createArena(pages = 2048): Arena {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  let next = WASM_RESERVED_BYTES;
  return {
    memory,
    take(length, values) {
      const view = carve(memory, next, length);
      next += Math.ceil((length * 4) / 64) * 64 + 64;
      if (next > memory.buffer.byteLength) throw new Error('test arena is full');
      if (values) view.set(values);
      else view.fill(0);
      return view;
    },
    reset() {
      next = WASM_RESERVED_BYTES;
    },
  };
}

export function randomArray(rng: Rng, length: number, scale = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal() * scale;
  return out;
}

/**
 * Normwise relative error: the largest |got − want| over the largest |want|. Per-element
 * relative error is meaningless for sums with cancellation (an output near 0 carries the
 * rounding of its large terms), so products and sums are judged against the output's scale.
 */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>, length = want.length): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < length; i++) {
    if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Infinity;
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff === 0 ? 0 : diff / Math.max(scale, Number.MIN_VALUE);
}

/** Tracks the worst error seen per kernel and prints the table once. */
export function createErrorLog(): { record(kernel: string, error: number): number; print(): void } {
  const worst = new Map<string, number>();
  return {
    record(kernel, error) {
      worst.set(kernel, Math.max(worst.get(kernel) ?? 0, error));
      return error;
    },
    print() {
      for (const [kernel, error] of worst)
        console.log(`  max relative error ${kernel.padEnd(20)} ${error.toExponential(2)}`);
    },
  };
}
