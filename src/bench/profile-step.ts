/**
 * Per-kernel profile of one training chunk of 784-<hidden>-10 (default the large net, 128 rows: one
 * chunk of a 256 batch on 2 cores): the kernel calls the layers make, in their order, on real MNIST
 * rows and He weights, each timed on its own; with `--threads 2` two threads run their own chunk at
 * once on shared weights (as two workers do), a barrier starting every step. Prints the median µs
 * of each call per thread, and its dense-equivalent GFLOP/s.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { integerFlag, listFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { barrierWait } from './barrier.ts';
import { mnistImages } from '../data/mnist-cache.ts';
import { UserError } from '../errors.ts';
import { WASM_RESERVED_BYTES, carve, createWasmKernels } from '../kernels/wasm.ts';
import { createRng } from '../random.ts';
import { startSelfWorker } from './self-worker.ts';

interface Job {
  memory: WebAssembly.Memory;
  widths: number[];
  rows: number;
  steps: number;
  thread: number;
  pixels: Float32Array;
  cpu: boolean;
}
type Timings = Record<string, number[]>;

const startThread = (data: unknown) => startSelfWorker(import.meta.url, data);

export const command = {
  usage: 'node --import tsx src/bench/profile-step.ts [--hidden LIST] [--rows N] [--threads 1|2] [--steps N]',
  about: 'Median µs of every kernel call in one training chunk, per thread, with 1 or 2 threads at once.',
  flags: {
    hidden: { type: 'string', value: 'LIST', default: '512,512', description: 'hidden layer widths' },
    rows: { type: 'string', value: 'N', default: '128', description: 'rows per chunk' },
    threads: { type: 'string', value: 'N', default: '1', description: 'threads, each its own chunk' },
    steps: { type: 'string', value: 'N', default: '60', description: 'timed steps (after 20 warm-up steps)' },
    cpu: {
      type: 'boolean',
      description: "the process's CPU time, not wall time: robust on a loaded machine; 1 thread only",
    },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

const floatsOf = (widths: number[]) => widths.slice(1).reduce((sum, n, i) => sum + widths[i] * n + n, 0);

/** One thread's chunks: forward, softmax cross-entropy, backward, as src/layers do it. */
function runThread({ memory, widths, rows, steps, thread, pixels, cpu }: Job, barrier: Int32Array): Timings {
  const kernels = createWasmKernels(memory);
  const layers = widths.length - 1;
  const perThread = 3 * rows * Math.max(...widths) * (layers + 1) + 2 * floatsOf(widths) + rows * 2;
  let offset = WASM_RESERVED_BYTES;
  const take = (length: number) => {
    const view = carve(memory, offset, length);
    offset += Math.ceil((length * 4) / 64) * 64;
    return view;
  };
  const weights = widths.slice(1).map((n, i) => take(widths[i] * n)); // shared: made by thread 0
  const biases = widths.slice(1).map((n) => take(n));
  offset += thread * perThread * 4;
  const acts = widths.map((w) => take(rows * w)); // acts[0] = x, acts[l+1] = layer l's output
  const pre = widths.slice(1).map((n) => take(rows * n)); // before the ReLU
  const grads = widths.map((w) => take(rows * w));
  const dW = widths.slice(1).map((n, i) => take(widths[i] * n));
  const db = widths.slice(1).map((n) => take(n));
  const targets = take(rows);
  const rng = createRng(0x9f0 + thread);
  const times: Timings = {};
  const clock = cpu
    ? () => {
        const { user, system } = process.cpuUsage();
        return user + system;
      }
    : () => performance.now() * 1000;
  const time = (name: string, call: () => void) => {
    const start = clock();
    call();
    (times[name] ??= []).push(clock() - start);
  };
  for (let step = 0; step < 20 + steps; step++) {
    for (let r = 0; r < rows; r++) {
      const image = rng.int(pixels.length / 784);
      acts[0].set(pixels.subarray(image * 784, (image + 1) * 784), r * 784);
      targets[r] = rng.int(10);
    }
    barrierWait(barrier, barrier[1], step + 1); // every thread starts the step together, as in one phase
    for (let l = 0; l < layers; l++) {
      const [k, n] = [widths[l], widths[l + 1]];
      const out = l === layers - 1 ? acts[l + 1] : pre[l];
      time(`x·W${l + 1} ${rows}×${k}×${n}`, () => kernels.matmul(acts[l], weights[l], out, rows, k, n));
      time(`bias ${l + 1}`, () => kernels.addRow(out, biases[l], rows, n));
      if (l < layers - 1) time(`relu ${l + 1}`, () => kernels.reluForward(pre[l], acts[l + 1], rows * n));
    }
    time('softmax', () => kernels.softmaxCrossEntropy(acts[layers], targets, grads[layers], rows, 10));
    for (let l = layers - 1; l >= 0; l--) {
      const [k, n] = [widths[l], widths[l + 1]];
      time(`xᵀ·dout dW${l + 1} ${k}×${rows}×${n}`, () => kernels.matmulAT(acts[l], grads[l + 1], dW[l], rows, k, n));
      time(`db${l + 1}`, () => kernels.sumRows(grads[l + 1], db[l], rows, n));
      if (l === 0) break;
      time(`dout·W${l + 1}ᵀ ${rows}×${n}×${k}`, () => kernels.matmulBT(grads[l + 1], weights[l], grads[l], rows, n, k));
      time(`relu' ${l}`, () => kernels.reluBackward(pre[l - 1], grads[l], grads[l], rows * k));
    }
  }
  for (const name in times) times[name] = times[name].slice(20);
  return times;
}

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const hidden = listFlag(args.values.hidden, 'hidden', (units) => integerFlag(units, 'hidden')!);
    const rows = integerFlag(args.values.rows, 'rows')!;
    const threads = integerFlag(args.values.threads, 'threads', { max: 2 })!;
    const steps = integerFlag(args.values.steps, 'steps')!;
    const cpu = args.values.cpu;
    if (cpu && threads > 1) throw new UserError('✖ --cpu counts the whole process: use it with --threads 1', 2);
    const widths = [784, ...hidden, 10];
    const perThread = 3 * rows * Math.max(...widths) * widths.length + 2 * floatsOf(widths) + rows * 2;
    const bytes = WASM_RESERVED_BYTES + (floatsOf(widths) + 1024 + threads * perThread) * 4 + 1024;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536), maximum: 65536, shared: true });
    createWasmKernels(memory);
    const rng = createRng(0x51e9);
    let offset = WASM_RESERVED_BYTES;
    for (let l = 0; l + 1 < widths.length; l++) {
      const w = carve(memory, offset, widths[l] * widths[l + 1]);
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * Math.sqrt(2 / widths[l]);
      offset += Math.ceil((w.length * 4) / 64) * 64;
    }
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    barrier[1] = threads;
    const pixels = mnistImages().pixels;
    const job = (thread: number): Job => ({ memory, widths, rows, steps, thread, pixels, cpu });
    // Two threads run as workers: the main thread must keep its event loop free while a worker loads
    // its modules (the tsx loader answers there), or a barrier wait here deadlocks the start.
    const all =
      threads === 1
        ? [runThread(job(0), barrier)]
        : await Promise.all(
            Array.from({ length: threads }, (_, thread) => {
              const worker = startThread({ job: job(thread), barrier });
              return new Promise<Timings>((resolve, reject) => worker.once('message', resolve).once('error', reject));
            }),
          );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const flops = (name: string) => {
      const shape = /(\d+)×(\d+)×(\d+)/.exec(name);
      return shape ? 2 * Number(shape[1]) * Number(shape[2]) * Number(shape[3]) : 0;
    };
    io.stdout.write(`${'kernel call'.padEnd(30)} ${all.map((_, t) => `thread ${t} µs  GFLOP/s`).join('   ')}\n`);
    const totals = all.map(() => 0);
    for (const name of Object.keys(all[0])) {
      const cells = all.map((times, t) => {
        const us = median(times[name]);
        totals[t] += us;
        const rate = flops(name) ? (flops(name) / us / 1e3).toFixed(1) : '';
        return `${us.toFixed(0).padStart(11)}  ${rate.padStart(7)}`;
      });
      io.stdout.write(`${name.padEnd(30)} ${cells.join('   ')}\n`);
    }
    io.stdout.write(
      `${'sum of medians'.padEnd(30)} ${totals.map((t) => t.toFixed(0).padStart(11) + ' '.repeat(9)).join('   ')}\n`,
    );
  });
}

if (!isMainThread) {
  const { job, barrier } = workerData as { job: Job; barrier: Int32Array };
  parentPort!.postMessage(runThread(job, barrier));
} else if (isScript(import.meta.url)) await runScript(main);
