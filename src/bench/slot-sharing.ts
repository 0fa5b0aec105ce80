/**
 * Micro-benchmark: does a thread's xᵀ·dout into its gradient slot get slower when the other thread
 * has just read that slot in the reduce (its cache lines must be taken back before they are
 * written), and does placing the slots differently change it? Two threads, each with its own
 * 50-row chunk of MNIST rows and slot, as 784-50-10 at batch 100 on 2 workers. Every round: a
 * barrier, a "reduce" of the 39,760-float parameter vector in 10 ranges (range r by thread r mod 2),
 * a barrier, then the timed xᵀ·dout (784×50×50) into the thread's slot. Variants, alternating round
 * by round so that load on the machine hits them alike:
 * - cross:  the reduce reads both slots (as training does), slots 64-byte aligned back to back
 *           (as src/train/layout.ts places them);
 * - paged:  the same, slots on 4 KiB pages with a page between them (padding cannot separate
 *           lines the other thread reads, but shows whether neighbouring lines or pages matter);
 * - own:    the reduce reads the same number of bytes, but only the thread's own slot: no line of
 *           a slot is read by the other thread (the control).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { integerFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { barrierWait } from './barrier.ts';
import { mnistImages } from '../data/mnist-cache.ts';
import { WASM_RESERVED_BYTES, carve, createWasmKernels } from '../kernels/wasm.ts';
import { rangeBounds } from '../train/partition.ts';
import { createRng } from '../random.ts';
import { startSelfWorker } from './self-worker.ts';

const VARIANTS = ['cross', 'paged', 'own'] as const;
const PARAMS = 784 * 50 + 50 + 50 * 10 + 10;
const RANGES = 10;
const [ROWS, K, N] = [50, 784, 50];
const PAGE = 4096;
const line = (bytes: number) => Math.ceil(bytes / 64) * 64;
const SLOT_BYTES = line(PARAMS * 4);
/** Slot offsets (bytes from the base) per variant: back to back, or page-aligned a page apart. */
const SLOTS = {
  cross: [0, SLOT_BYTES],
  own: [0, SLOT_BYTES],
  paged: [2 * SLOT_BYTES, 2 * SLOT_BYTES + Math.ceil(SLOT_BYTES / PAGE) * PAGE + PAGE],
};
const GRADS_AT = 5 * SLOT_BYTES + 2 * PAGE;
const OPERANDS_AT = GRADS_AT + SLOT_BYTES;

interface Job {
  memory: WebAssembly.Memory;
  base: number;
  thread: number;
  rounds: number;
  pixels: Float32Array;
}
type Times = Record<string, number[]>;

const startThread = (data: unknown) => startSelfWorker(import.meta.url, data);

export const command = {
  usage: 'node --import tsx src/bench/slot-sharing.ts [--rounds N]',
  about: "Median µs of a thread's xᵀ·dout into its gradient slot after the reduce: cross, paged, own.",
  flags: { rounds: { type: 'string', value: 'N', default: '1500', description: 'rounds (all variants)' } },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

function runThread({ memory, base, thread, rounds, pixels }: Job, barrier: Int32Array): Times {
  const kernels = createWasmKernels(memory);
  const at = (offset: number, length: number) => carve(memory, base + offset, length);
  const operands = OPERANDS_AT + thread * line((ROWS * K + ROWS * N) * 4 + 64);
  const x = at(operands, ROWS * K);
  const dout = at(operands + line(ROWS * K * 4), ROWS * N);
  const grads = at(GRADS_AT, PARAMS);
  const rng = createRng(0x5107 + thread);
  for (let i = 0; i < dout.length; i++) dout[i] = rng.next() < 0.5 ? 0 : rng.normal();
  const times: Times = {};
  let generation = 0;
  const wait = () => barrierWait(barrier, 2, ++generation);
  for (let round = 0; round < rounds; round++) {
    const variant = VARIANTS[round % VARIANTS.length];
    const slots = SLOTS[variant].map((offset) => at(offset, PARAMS));
    for (let r = 0; r < ROWS; r++) {
      const image = rng.int(pixels.length / K);
      x.set(pixels.subarray(image * K, (image + 1) * K), r * K);
    }
    wait();
    let start = performance.now();
    for (let r = thread; r < RANGES; r += 2) {
      const [from, to] = rangeBounds(PARAMS, RANGES, r);
      const read = variant === 'own' ? [slots[thread], slots[thread]] : slots;
      const parts = read.map((slot) => slot.subarray(from, to));
      kernels.reduceSlots(parts, grads.subarray(from, to), to - from, 0.01);
    }
    const reduce = (performance.now() - start) * 1000;
    wait();
    start = performance.now();
    kernels.matmulAT(x, dout, slots[thread], ROWS, K, N);
    const product = (performance.now() - start) * 1000;
    if (round >= 30 * VARIANTS.length) {
      (times[`${variant} xᵀ·dout`] ??= []).push(product);
      (times[`${variant} reduce`] ??= []).push(reduce);
    }
  }
  return times;
}

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const rounds = integerFlag(args.values.rounds, 'rounds')!;
    const base = Math.ceil(WASM_RESERVED_BYTES / PAGE) * PAGE;
    const bytes = base + OPERANDS_AT + 2 * line((ROWS * K + ROWS * N) * 4 + 64);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536), maximum: 65536, shared: true });
    const pixels = mnistImages().pixels;
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const job = (thread: number): Job => ({ memory, base, thread, rounds, pixels });
    // Both threads are workers: the main thread must keep its event loop free while a worker loads
    // its modules (the tsx loader answers there), or a barrier wait here deadlocks the start.
    const all = await Promise.all(
      [0, 1].map((thread) => {
        const worker = startThread({ job: job(thread), barrier });
        return new Promise<Times>((resolve, reject) => worker.once('message', resolve).once('error', reject));
      }),
    );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    io.stdout.write('median µs             thread 0  thread 1\n');
    for (const name of Object.keys(all[0]).sort()) {
      const cells = all.map((times) => median(times[name]).toFixed(1).padStart(8));
      io.stdout.write(`${name.padEnd(20)} ${cells.join('  ')}\n`);
    }
  });
}

if (!isMainThread) {
  const { job, barrier } = workerData as { job: Job; barrier: Int32Array };
  parentPort!.postMessage(runThread(job, barrier));
} else if (isScript(import.meta.url)) await runScript(main);
