/**
 * Sparse GEMM micro-benchmark: the zero-skipping products on the operands training really gives
 * them. x·W and xᵀ·dout with x = real MNIST rows (~80% zeros) for the first layer, and with
 * ReLU-like rows (50% zeros) for 512→512, as dout·Wᵀ gets its ReLU-masked dout (its only sparse
 * case); plus a sweep of random zero fractions to place the dense/sparse threshold. GFLOP/s count
 * the dense 2·m·k·n, so sparse speed-ups show as rates.
 * Columns: forced dense path, forced zero-skipping path, and the automatic choice.
 */
import { choiceFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { mnistImages } from '../data/mnist-cache.ts';
import { WASM_RESERVED_BYTES, carve, instantiateKernels } from '../kernels/wasm.ts';
import { createRng, type Rng } from '../random.ts';
import { measure } from './gemm.ts';

const PRODUCTS = ['matmul', 'matmulBT', 'matmulAT'] as const;
type Product = (typeof PRODUCTS)[number];
type Fill = (rng: Rng, row: Float32Array) => void;
interface Case {
  label: string;
  product: Product;
  m: number;
  k: number;
  n: number;
  fill: Fill;
}

export const command = {
  usage: 'node --import tsx src/bench/gemm-sparse.ts [--quick] [--sweep] [--product P]',
  about:
    'GFLOP/s (dense-equivalent) of the zero-skipping products on MNIST rows and ReLU-like operands:\n' +
    'the forced dense path, the forced zero-skipping path(s) and the automatic choice.',
  flags: {
    quick: { type: 'boolean', description: 'fewer, shorter samples (a smoke run, not a measurement)' },
    sweep: { type: 'boolean', description: 'add random zero fractions (places the dense/sparse threshold)' },
    product: { type: 'string', value: 'P', description: 'only matmul, matmulBT or matmulAT' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const only = args.values.product === undefined ? undefined : choiceFlag(args.values.product, 'product', PRODUCTS);
    const cases = benchCases(
      PRODUCTS.filter((p) => !only || p === only),
      args.values.sweep,
    );
    io.stdout.write('product   data     m×k×n          dense  sparse columns   auto  zeros  zero quads\n');
    measureCases(cases, args.values.quick, (line) => io.stdout.write(line + '\n'));
  });
}

function benchCases(products: readonly Product[], sweep: boolean): Case[] {
  const images = mnistImages().pixels;
  const mnist: Fill = (rng, row) => {
    const r = rng.int(10000);
    row.set(images.subarray(r * 784, (r + 1) * 784));
  };
  const zeros =
    (fraction: number): Fill =>
    (rng, row) => {
      for (let i = 0; i < row.length; i++) row[i] = rng.next() < fraction ? 0 : Math.abs(rng.normal());
    };
  const cases: Case[] = [];
  for (const product of products) {
    // matmulBT is called (a, b, out, m, k, n) like the others: a m×k, b n×k. Never on MNIST pixels.
    if (product !== 'matmulBT')
      for (const n of [50, 512])
        for (const m of [25, 50, 100, 128, 256]) cases.push({ label: 'mnist', product, m, k: 784, n, fill: mnist });
    for (const m of [50, 128, 256]) cases.push({ label: 'relu50', product, m, k: 512, n: 512, fill: zeros(0.5) });
    for (const [m, k, n] of [
      [128, 784, 512],
      [50, 784, 50],
    ])
      cases.push({ label: 'dense', product, m, k, n, fill: zeros(0) });
    if (sweep) {
      for (const f of product === 'matmulAT' ? [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] : [0.3, 0.4, 0.5, 0.6])
        for (const [m, k, n] of [
          [128, 512, 512],
          [50, 784, 50],
        ]) {
          cases.push({ label: `zeros${f}`, product, m, k, n, fill: zeros(f) });
        }
    }
  }
  return cases;
}

function measureCases(cases: readonly Case[], quick: boolean, print: (line: string) => void): void {
  const floats = 3 * 256 * 784 + 784 * 512 + 64;
  const pages = Math.ceil((WASM_RESERVED_BYTES + floats * 4) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const wasm = instantiateKernels(memory);
  const rng = createRng(0x5a11);
  for (const { label, product, m, k, n, fill } of cases) {
    const a = carve(memory, WASM_RESERVED_BYTES, m * k);
    const b = carve(memory, WASM_RESERVED_BYTES + 256 * 784 * 4, Math.max(k * n, m * n));
    const out = carve(memory, WASM_RESERVED_BYTES + (256 * 784 + 784 * 512) * 4, Math.max(m * n, k * n));
    for (let i = 0; i < m; i++) fill(rng, a.subarray(i * k, (i + 1) * k));
    for (let i = 0; i < b.length; i++) b[i] = rng.normal();
    // What each path skips: zeros (x·W), 4-aligned quads of adjacent zeros (xᵀ·dout).
    let zeroCount = 0,
      zeroQuads = 0;
    for (let i = 0; i < m * k; i++) if (a[i] === 0) zeroCount++;
    for (let i = 0; i < m; i++)
      for (let p = 0; p + 4 <= k; p += 4) if (a.subarray(i * k + p, i * k + p + 4).every((x) => x === 0)) zeroQuads++;
    const run = () => wasm[product](a.byteOffset, b.byteOffset, out.byteOffset, m, k, n);
    const time = (mode: number) => {
      wasm.setSparsePath(mode);
      return measure(run, 2 * m * k * n, quick ? 5 : 11, quick ? 10 : 30);
    };
    // xᵀ·dout has two zero-skipping paths: 4 columns at once (sparse), or each column's own zeros.
    const [dense, sparse, columns, auto] = [time(2), time(1), product === 'matmulAT' ? time(3) : NaN, time(0)];
    const rates = [dense, sparse, columns, auto].map((x) => (Number.isNaN(x) ? '–' : x.toFixed(1)).padStart(6));
    print(
      `${product.padEnd(9)} ${label.padEnd(8)} ${`${m}×${k}×${n}`.padEnd(13)} ${rates.join('  ')}  ` +
        `${(zeroCount / (m * k)).toFixed(2)}  ${(zeroQuads / (m * (k >> 2))).toFixed(2)}`,
    );
  }
}

if (isScript(import.meta.url)) await runScript(main);
