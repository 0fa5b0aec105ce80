/**
 * Sparse GEMM micro-benchmark: the zero-skipping products on the operands training really gives
 * them. x·W and xᵀ·dout with x = real MNIST rows (~80% zeros) for the first layer, and with
 * ReLU-like rows (50% zeros) for 512→512, as dout·Wᵀ gets its ReLU-masked dout (its only sparse
 * case); plus a sweep of random zero fractions to place the dense/sparse threshold. GFLOP/s count the dense 2·m·k·n, so
 * sparse speed-ups show as rates.
 * Columns: forced dense path, forced zero-skipping path, and the automatic choice.
 * Usage: node --import tsx src/bench/gemm-sparse.ts [--quick] [--sweep] [--product=matmulBT]
 */
import { mnistImages } from '../data/mnist-cache.ts';
import { WASM_RESERVED_BYTES, carve, instantiateKernels } from '../kernels/wasm.ts';
import { createRng, type Rng } from '../random.ts';
import { measure } from './gemm.ts';

type Fill = (rng: Rng, row: Float32Array) => void;
interface Case {
  label: string;
  product: 'matmul' | 'matmulBT' | 'matmulAT';
  m: number;
  k: number;
  n: number;
  fill: Fill;
}

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

const quick = process.argv.includes('--quick');
const cases: Case[] = [];
const only = process.argv.find((x) => x.startsWith('--product='))?.slice('--product='.length);
for (const product of (['matmul', 'matmulBT', 'matmulAT'] as const).filter((p) => !only || p === only)) {
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
  if (process.argv.includes('--sweep')) {
    for (const f of product === 'matmulAT' ? [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] : [0.3, 0.4, 0.5, 0.6])
      for (const [m, k, n] of [
        [128, 512, 512],
        [50, 784, 50],
      ]) {
        cases.push({ label: `zeros${f}`, product, m, k, n, fill: zeros(f) });
      }
  }
}

const floats = 3 * 256 * 784 + 784 * 512 + 64;
const pages = Math.ceil((WASM_RESERVED_BYTES + floats * 4) / 65536);
const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
const wasm = instantiateKernels(memory);
// The kernels built before the sparse path have no threshold: they only report the automatic column.
const canForce = typeof wasm.setSparsePath === 'function';
const rng = createRng(0x5a11);
console.log('product   data     m×k×n          dense  sparse columns   auto  zeros  zero quads');
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
    if (canForce) wasm.setSparsePath(mode);
    else if (mode !== 0) return NaN;
    return measure(run, 2 * m * k * n, quick ? 5 : 11, quick ? 10 : 30);
  };
  // xᵀ·dout has two zero-skipping paths: 4 columns at once (sparse), or each column's own zeros.
  const [dense, sparse, columns, auto] = [time(2), time(1), product === 'matmulAT' ? time(3) : NaN, time(0)];
  console.log(
    `${product.padEnd(9)} ${label.padEnd(8)} ${`${m}×${k}×${n}`.padEnd(13)} ` +
      `${[dense, sparse, columns, auto].map((x) => (Number.isNaN(x) ? '–' : x.toFixed(1)).padStart(6)).join('  ')}  ` +
      `${(zeroCount / (m * k)).toFixed(2)}  ${(zeroQuads / (m * (k >> 2))).toFixed(2)}`,
  );
}
