/**
 * GEMM micro-benchmark: GFLOP/s (2·m·k·n per product) of every product orientation training
 * needs, for the WebAssembly kernels and the TypeScript reference, on one thread.
 */
import { parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { referenceKernels } from '../kernels/reference.ts';
import type { Kernels } from '../kernels/types.ts';
import { WASM_RESERVED_BYTES, carve, createWasmKernels } from '../kernels/wasm.ts';
import { createRng } from '../random.ts';

export type Orientation = 'matmul' | 'matmulAT' | 'matmulBT';

/** A product's sizes in the naming of types.ts: a[m×k]·b[k×n], a[m×k]ᵀ·b[m×n], a[m×n]·b[k×n]ᵀ. */
export interface GemmShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

export interface GemmResult {
  readonly orientation: Orientation;
  readonly shape: GemmShape;
  /** Median GFLOP/s over the timed samples. */
  readonly wasm: number;
  readonly reference: number;
}

export interface GemmOptions {
  /** Fewer, shorter samples (a smoke run). */
  readonly quick?: boolean;
  readonly shapes?: readonly GemmShape[];
  readonly orientations?: readonly Orientation[];
}

/** The layers of 784-512-512-10 at batch 256, and 784-50-10 at batch 100. */
export const DEFAULT_SHAPES: readonly GemmShape[] = [
  { m: 256, k: 784, n: 512 },
  { m: 100, k: 784, n: 50 },
];

const ORIENTATIONS: readonly Orientation[] = ['matmul', 'matmulAT', 'matmulBT'];

/** Floats for a, b and out, each large enough for every orientation of the shape. */
function operandSizes({ m, k, n }: GemmShape): number[] {
  return [Math.max(m * k, m * n), Math.max(k * n, m * n), Math.max(m * n, k * n, m * k)];
}

interface Operands {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
}

function runProduct(kernels: Kernels, orientation: Orientation, { a, b, out }: Operands, { m, k, n }: GemmShape): void {
  if (orientation === 'matmulBT') kernels.matmulBT(a, b, out, m, n, k);
  else kernels[orientation](a, b, out, m, k, n);
}

/** Median GFLOP/s over `samples`, each timing enough calls to last about `sampleMs`. */
export function measure(call: () => void, flops: number, samples: number, sampleMs: number): number {
  call(); // warm-up: compiles (and tiers up) the code paths
  let start = performance.now();
  call();
  const once = Math.max(performance.now() - start, 1e-3);
  const calls = Math.max(1, Math.round(sampleMs / once));
  for (let i = 0; i < calls; i++) call(); // second warm-up at the sample's length
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    start = performance.now();
    for (let i = 0; i < calls; i++) call();
    rates.push((flops * calls) / ((performance.now() - start) * 1e6));
  }
  rates.sort((x, y) => x - y);
  return rates[rates.length >> 1];
}

export function benchGemm(options: GemmOptions = {}): GemmResult[] {
  const shapes = options.shapes ?? DEFAULT_SHAPES;
  const orientations = options.orientations ?? ORIENTATIONS;
  const floats = Math.max(...shapes.map((shape) => operandSizes(shape).reduce((x, y) => x + y)));
  const bytes = WASM_RESERVED_BYTES + floats * 4 + 3 * 64;
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const wasm = createWasmKernels(memory);
  const rng = createRng(0x6e33);
  const results: GemmResult[] = [];
  for (const shape of shapes) {
    const { m, k, n } = shape;
    let offset = WASM_RESERVED_BYTES;
    const [a, b, out] = operandSizes(shape).map((length) => {
      const view = carve(memory, offset, length);
      offset += Math.ceil((length * 4) / 64) * 64;
      for (let i = 0; i < length; i++) view[i] = rng.normal();
      return view;
    });
    const flops = 2 * m * k * n;
    for (const orientation of orientations) {
      const operands = { a, b, out };
      const time = (kernels: Kernels, samples: number, sampleMs: number) =>
        measure(() => runProduct(kernels, orientation, operands, shape), flops, samples, sampleMs);
      results.push({
        orientation,
        shape,
        wasm: time(wasm, options.quick ? 5 : 15, options.quick ? 10 : 40),
        reference: time(referenceKernels, options.quick ? 1 : 3, 1),
      });
    }
  }
  return results;
}

export function formatGemmTable(results: readonly GemmResult[]): string {
  const lines = ['orientation  m×k×n          wasm GFLOP/s  reference GFLOP/s  speed-up'];
  for (const { orientation, shape, wasm, reference } of results) {
    lines.push(
      `${orientation.padEnd(12)} ${`${shape.m}×${shape.k}×${shape.n}`.padEnd(14)} ` +
        `${wasm.toFixed(1).padStart(12)}  ${reference.toFixed(2).padStart(17)}  ` +
        `${(wasm / reference).toFixed(0).padStart(7)}x`,
    );
  }
  return lines.join('\n');
}

export const command = {
  usage: 'node --import tsx src/bench/gemm.ts [--quick] [--json]',
  about:
    'GFLOP/s of every product orientation training needs, WebAssembly SIMD and the TypeScript reference, one thread.',
  flags: {
    quick: { type: 'boolean', description: 'fewer, shorter samples (a smoke run, not a measurement)' },
    json: { type: 'boolean', description: 'the results as JSON' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const results = benchGemm({ quick: args.values.quick });
    io.stdout.write((args.values.json ? JSON.stringify(results, null, 2) : formatGemmTable(results)) + '\n');
  });
}

if (isScript(import.meta.url)) await runScript(main);
