import { referenceKernels } from './reference.ts';
import type { Kernels } from './types.ts';
import { createWasmKernels } from './wasm.ts';

/** The kernels a run asked for, bound to the run's memory where they need it. */
export function selectKernels(name: 'wasm' | 'reference', memory: WebAssembly.Memory): Kernels {
  return name === 'wasm' ? createWasmKernels(memory) : referenceKernels;
}
