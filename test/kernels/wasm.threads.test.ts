import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { createWasmKernels, instantiateKernels, kernelModule } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena, randomArray } from './wasm-compare.ts';

// Each worker instantiates the compiled module on the shared memory and runs the same three
// products many times, into its own outputs, while the others do the same. The test holds all but
// FREE_PANELS of the packing panels, so the threads outnumber the panels: they race for them, and a
// call that finds none takes the scalar fallback. Every result must be bitwise equal to the main
// thread's, and every panel a call claimed must be released. The worker is plain JavaScript calling the
// raw exports: worker threads here do not inherit the tsx loader, so they cannot import wasm.ts.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, a, b, outs, m, k, n, repeats } = workerData;
const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
for (let r = 0; r < repeats; r++) {
  wasm.matmul(a, b, outs[0], m, k, n);
  wasm.matmulAT(a, b, outs[1], m, k, n);
  wasm.matmulBT(a, b, outs[2], m, n, k);
}
parentPort.postMessage('done');`;

const s = suite('wasm kernels across threads');
const THREADS = 8;
const FREE_PANELS = 2;

// With `a` 80% zeros, matmul and matmulAT take their zero-skipping path (when a panel is free).
for (const zeros of [0, 0.8])
  s(`${THREADS} threads, ${FREE_PANELS} free panels: bitwise identical products, a ${zeros * 100}% zeros`, async () => {
    const arena = createArena();
    const wasm = createWasmKernels(arena.memory);
    const [m, k, n] = [33, 300, 20];
    const rng = createRng(7);
    const a = arena.take(
      m * k,
      randomArray(rng, m * k).map((x) => (rng.next() < zeros ? 0 : x)),
    );
    const b = arena.take(k * n, randomArray(rng, k * n));
    const expected = [arena.take(m * n), arena.take(k * n), arena.take(m * k)];
    wasm.matmul(a, b, expected[0], m, k, n);
    wasm.matmulAT(a, b, expected[1], m, k, n);
    wasm.matmulBT(a, b, expected[2], m, n, k);
    const raw = instantiateKernels(arena.memory);
    const locks = new Int32Array(arena.memory.buffer, raw.panelLocks(), raw.panelCount());
    locks.fill(1, FREE_PANELS); // held, as if other threads were packing in them
    const outs = Array.from({ length: THREADS }, () => expected.map((e) => arena.take(e.length)));
    await Promise.all(
      outs.map(
        (out) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(WORKER_SOURCE, {
              eval: true,
              workerData: {
                module: kernelModule(),
                memory: arena.memory,
                a: a.byteOffset,
                b: b.byteOffset,
                outs: out.map((o) => o.byteOffset),
                m,
                k,
                n,
                repeats: 50,
              },
            });
            worker.once('message', () => void worker.terminate().then(() => resolve()));
            worker.once('error', reject);
          }),
      ),
    );
    assert.equal(Array.from(locks.subarray(0, FREE_PANELS)), Array(FREE_PANELS).fill(0), 'free panels released');
    assert.ok(
      locks.subarray(FREE_PANELS).every((lock) => lock === 1),
      'held panels untouched',
    );
    outs.forEach((out, t) =>
      out.forEach((got, p) => {
        assert.equal(Array.from(got), Array.from(expected[p]), `thread ${t}, product ${p}`);
      }),
    );
  });

s.run();
