import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena, maxRelativeError, randomArray } from './wasm-compare.ts';

/**
 * Softmax cross-entropy with dense targets (one-hot rows or distributions), on both backends from one
 * table of cases worked out by hand, then the wasm kernel against the reference on random inputs.
 */
const s = suite('softmaxCrossEntropyDense, reference and wasm');
const arena = createArena(64);
const wasm = createWasmKernels(arena.memory);

interface Case {
  readonly what: string;
  readonly logits: number[];
  readonly targets: number[];
  readonly n: number;
  readonly loss: number;
  readonly grad: number[];
}

const ln = Math.log;
const cases: Case[] = [
  // softmax [1/4, 3/4] and [3/4, 1/4]; target class 1 both rows: ln(4/3) + ln 4 = ln(16/3).
  {
    what: 'one-hot rows',
    logits: [0, ln(3), ln(3), 0],
    targets: [0, 1, 0, 1],
    n: 2,
    loss: ln(16 / 3),
    grad: [0.25, -0.25, 0.75, -0.75],
  },
  // Equal logits: softmax 1/4 each, logsumexp − x = ln 4 for every class, so the loss is ln 4 · Σt.
  {
    what: 'a distribution over two of four classes',
    logits: [3, 3, 3, 3],
    targets: [0.5, 0.5, 0, 0],
    n: 4,
    loss: ln(4),
    grad: [-0.25, -0.25, 0.25, 0.25],
  },
  // Label smoothing: 0.1·(ln 4 − 0) + 0.9·(ln 4 − ln 3); gradient [1/4 − 0.1, 3/4 − 0.9].
  {
    what: 'a smoothed label',
    logits: [0, ln(3)],
    targets: [0.1, 0.9],
    n: 2,
    loss: ln(4) - 0.9 * ln(3),
    grad: [0.15, -0.15],
  },
  // A row of mass 2: loss 2·(ln 4 − 0); gradient 2·[1/4, 3/4] − [2, 0], the exact derivative of that loss.
  {
    what: 'a row whose targets sum to 2',
    logits: [0, ln(3)],
    targets: [2, 0],
    n: 2,
    loss: 2 * ln(4),
    grad: [-1.5, 1.5],
  },
  // logsumexp(1000, −1000) = 1000: loss 0 for class 0 and 2000 for class 1, no overflow.
  {
    what: 'logits of ±1000',
    logits: [1000, -1000, 1000, -1000],
    targets: [1, 0, 0, 1],
    n: 2,
    loss: 2000,
    grad: [0, 0, 1, -1],
  },
];

const backends: Array<[string, Kernels, (values: number[]) => Float32Array]> = [
  ['reference', referenceKernels, (values) => Float32Array.from(values)],
  ['wasm', wasm, (values) => arena.take(values.length, values)],
];

for (const [backend, kernels, array] of backends) {
  for (const c of cases) {
    s(`${backend}: ${c.what}`, () => {
      arena.reset();
      const m = c.logits.length / c.n;
      const logits = array(c.logits);
      const targets = array(c.targets);
      const dlogits = array(c.logits.map(() => 0));
      const loss = kernels.softmaxCrossEntropyDense(logits, targets, dlogits, m, c.n);
      assert.ok(Math.abs(loss - c.loss) <= 1e-6 * Math.max(1, c.loss), `loss ${loss}, expected ${c.loss}`);
      c.grad.forEach((g, i) =>
        assert.ok(Math.abs(dlogits[i] - g) < 1e-6, `dlogits[${i}] ${dlogits[i]}, expected ${g}`),
      );
      assert.equal(Array.from(logits), Array.from(Float32Array.from(c.logits)), 'logits unchanged');
    });
  }
}

/** Random rows of non-negative targets summing to ~1 (every third row one-hot). */
function randomTargets(rng: ReturnType<typeof createRng>, m: number, n: number): Float32Array {
  const t = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = t.subarray(i * n, (i + 1) * n);
    if (i % 3 === 0) row[rng.int(n)] = 1;
    else {
      for (let j = 0; j < n; j++) row[j] = rng.next();
      const sum = row.reduce((a, b) => a + b, 0);
      for (let j = 0; j < n; j++) row[j] /= sum;
    }
  }
  return t;
}

s('wasm matches the reference on random logits and targets, also written in place over the logits', () => {
  for (const m of [1, 3, 7, 33]) {
    for (const n of [1, 3, 7, 33, 257]) {
      arena.reset();
      const rng = createRng(5, m, n);
      const logits = randomArray(rng, m * n, 5);
      const targets = randomTargets(rng, m, n);
      const want = new Float32Array(m * n);
      const wantLoss = referenceKernels.softmaxCrossEntropyDense(logits, targets, want, m, n);
      const got = arena.take(m * n);
      const wasmTargets = arena.take(m * n, targets);
      const loss = wasm.softmaxCrossEntropyDense(arena.take(m * n, logits), wasmTargets, got, m, n);
      assert.ok(maxRelativeError(got, want) < 1e-5, `gradient m=${m} n=${n}`);
      assert.ok(maxRelativeError([loss], [wantLoss]) < 1e-6, `loss m=${m} n=${n}: ${loss} vs ${wantLoss}`);
      const inPlace = arena.take(m * n, logits);
      assert.is(wasm.softmaxCrossEntropyDense(inPlace, wasmTargets, inPlace, m, n), loss, `in place m=${m} n=${n}`);
      assert.equal(Array.from(inPlace), Array.from(got), `in place m=${m} n=${n}`);
    }
  }
});

s('wasm refuses targets that are not a view of its memory or hold too few values', () => {
  arena.reset();
  const logits = arena.take(4);
  const dlogits = arena.take(4);
  assert.throws(
    () => wasm.softmaxCrossEntropyDense(logits, new Float32Array(4), dlogits, 2, 2),
    /'targets' is not a view of the run's WebAssembly.Memory/,
  );
  assert.throws(() => wasm.softmaxCrossEntropyDense(logits, arena.take(3), dlogits, 2, 2), /'targets' holds 3 floats/);
});

s.run();
