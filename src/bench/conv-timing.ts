/**
 * Where a convolution layer's time goes: each kernel of its forward and backward, timed alone on
 * one thread over the WebAssembly kernels, for one group of samples as the layer runs them
 * (conv2d.ts groupRowsFor), times the groups of one chunk (what a thread computes per call in
 * training). GFLOP/s counts the products only (2·P·K·filters per sample and pass), so the layout
 * changes and im2col show up as what they cost against that.
 */
import type { Kernels } from '../kernels/types.ts';
import { WASM_RESERVED_BYTES, carve, createWasmKernels } from '../kernels/wasm.ts';
import { imageSize, patchSize, positions, type WindowGeometry } from '../kernels/window.ts';
import { createRng } from '../random.ts';
import { groupRowsFor } from '../layers/conv2d.ts';
import { measure } from './gemm.ts';

export interface ConvTiming {
  /** GFLOP/s of the layer's products over the whole forward, the whole backward, both. */
  readonly forwardGflops: number;
  readonly backwardGflops: number;
  readonly gflops: number;
  /** Milliseconds per call of each kernel, in the order the layer runs them. */
  readonly partsMs: Record<string, number>;
}

/**
 * Times a conv layer of geometry `g` and `filters` for a chunk of `chunkRows` samples. `input` fills the images
 * (real digits for a first layer: their zeros decide the products' path), else N(0, 1).
 */
export function timeConv(
  g: WindowGeometry,
  filters: number,
  chunkRows: number,
  inputGradient: boolean,
  input?: Float32Array,
  quick = false,
): ConvTiming {
  const rows = groupRowsFor(g, filters, chunkRows);
  const groups = Math.ceil(chunkRows / rows);
  const [p, k] = [rows * positions(g), patchSize(g)];
  const sizes = { x: rows * imageSize(g), col: p * k, w: filters * k, bias: filters, product: p * filters };
  const floats = 2 * (sizes.x + sizes.col + sizes.w + sizes.bias) + 3 * sizes.product + 16 * 10;
  const pages = Math.ceil((WASM_RESERVED_BYTES + floats * 4) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const kernels: Kernels = createWasmKernels(memory);
  const rng = createRng(0xc0);
  let offset = WASM_RESERVED_BYTES;
  const take = (length: number, fill = true) => {
    const view = carve(memory, offset, length);
    offset += Math.ceil((length * 4) / 64) * 64;
    if (fill) for (let i = 0; i < length; i++) view[i] = rng.normal();
    return view;
  };
  const x = take(sizes.x);
  if (input) for (let i = 0; i < sizes.x; i++) x[i] = input[i % input.length];
  const [col, w, bias, product, out] = [
    take(sizes.col),
    take(sizes.w),
    take(sizes.bias),
    take(sizes.product),
    take(sizes.product),
  ];
  const [dout, dcol, dx, dw, db] = [
    take(sizes.product),
    take(sizes.col, false),
    take(sizes.x, false),
    take(sizes.w, false),
    take(filters, false),
  ];
  const flops = 2 * p * k * filters;
  const samples = quick ? 3 : 9;
  const sampleMs = quick ? 5 : 30;
  const partsMs: Record<string, number> = {};
  const time = (name: string, call: () => void, partFlops = 1) => {
    partsMs[name] = (groups * partFlops) / (measure(call, partFlops, samples, sampleMs) * 1e6);
  };
  const windows = p;
  time('im2col', () => kernels.im2col(x, col, rows, g));
  time('W·col', () => kernels.matmul(w, col, product, filters, k, windows), flops);
  time('unpackChannels', () => kernels.unpackChannels(product, bias, out, rows, filters, positions(g)));
  time('packChannels', () => kernels.packChannels(dout, product, db, rows, filters, positions(g)));
  time('dout·colᵀ', () => kernels.matmulBT(product, col, dw, filters, windows, k), flops);
  if (inputGradient) {
    time('Wᵀ·dout', () => kernels.matmulAT(w, product, dcol, filters, k, windows), flops);
    time('col2im', () => kernels.col2im(dcol, dx, rows, g));
  }
  const sum = (names: string[]) => names.reduce((total, name) => total + (partsMs[name] ?? 0), 0);
  const forwardMs = sum(['im2col', 'W·col', 'unpackChannels']);
  const backwardMs = sum(['packChannels', 'dout·colᵀ', 'Wᵀ·dout', 'col2im']);
  const chunkFlops = groups * flops;
  const backwardFlops = chunkFlops * (inputGradient ? 2 : 1);
  return {
    forwardGflops: chunkFlops / (forwardMs * 1e6),
    backwardGflops: backwardFlops / (backwardMs * 1e6),
    gflops: (chunkFlops + backwardFlops) / ((forwardMs + backwardMs) * 1e6),
    partsMs,
  };
}
