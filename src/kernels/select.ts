import { referenceKernels } from './reference.ts';
import type { Kernels } from './types.ts';

/** The kernels a run asked for, bound to the run's memory where they need it. */
export function selectKernels(name: 'wasm' | 'reference', _memory: WebAssembly.Memory): Kernels {
  if (name === 'reference') return referenceKernels;
  return referenceKernels; // TODO(wasm): replaced by createWasmKernels once the kernels land
}
