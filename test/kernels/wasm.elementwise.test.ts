import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena, createErrorLog, maxRelativeError, randomArray } from './wasm-compare.ts';

const s = suite('wasm elementwise kernels');
const arena = createArena();
const wasm = createWasmKernels(arena.memory);
const errors = createErrorLog();
const TOLERANCE = 1e-5;
const LENGTHS = [1, 3, 7, 33, 257, 1000];
const SIZES = [1, 3, 7, 33, 257];

function check(kernel: string, got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const error = errors.record(kernel, maxRelativeError(got, want));
  assert.ok(error < TOLERANCE, `${kernel} ${what}: error ${error}`);
}

/** Inputs spanning the activations' range, with exact ±0 where the relu convention matters. */
function activationInput(len: number, seed: number): Float32Array {
  const x = randomArray(createRng(seed, len), len, 4);
  if (len > 2) [x[0], x[1]] = [0, -0];
  if (len > 5) [x[3], x[4]] = [-120, 120]; // saturating sigmoid and tanh
  return x;
}

const activations = [
  ['relu', ref.reluForward, ref.reluBackward, wasm.reluForward, wasm.reluBackward],
  ['sigmoid', ref.sigmoidForward, ref.sigmoidBackward, wasm.sigmoidForward, wasm.sigmoidBackward],
  ['tanh', ref.tanhForward, ref.tanhBackward, wasm.tanhForward, wasm.tanhBackward],
] as const;

for (const [name, refForward, refBackward, forward, backward] of activations) {
  s(`${name} forward and backward match the reference`, () => {
    for (const len of LENGTHS) {
      arena.reset();
      const x = activationInput(len, 1);
      const dout = randomArray(createRng(2, len), len);
      const y = new Float32Array(len),
        dx = new Float32Array(len);
      refForward(x, y, len);
      // relu's backward reads x; sigmoid's and tanh's read the cached output y.
      refBackward(name === 'relu' ? x : y, dout, dx, len);
      const wx = arena.take(len, x),
        wy = arena.take(len),
        wdout = arena.take(len, dout),
        wdx = arena.take(len);
      forward(wx, wy, len);
      backward(name === 'relu' ? wx : arena.take(len, y), wdout, wdx, len);
      check(`${name}Forward`, wy, y, `len=${len}`);
      check(`${name}Backward`, wdx, dx, `len=${len}`);
      assert.equal(Array.from(wdout), Array.from(dout), 'backward must not write dout');
    }
  });
}

s('relu maps −0 to +0 and its derivative at 0 is 0, like the reference', () => {
  arena.reset();
  const x = arena.take(5, [-0, 0, 2, -1, 0]),
    y = arena.take(5),
    dx = arena.take(5);
  wasm.reluForward(x, y, 5);
  assert.ok(Object.is(y[0], 0), 'relu(−0) is +0');
  wasm.reluBackward(x, arena.take(5, [1, 1, 1, 1, 1]), dx, 5);
  assert.equal(Array.from(dx), [0, 0, 1, 0, 0]);
});

s('gatherRows copies the rows an order names, for odd widths and row counts, exactly like the reference', () => {
  const rng = createRng(11);
  // The kernel copies 4 rows at a time, a 64-byte line of each in turn: widths around whole
  // lines (16 floats) and row counts around multiples of 4 cover its tails.
  for (const width of [1, 3, 4, 7, 16, 17, 33, 784]) {
    for (const rows of [1, 4, 7]) {
      arena.reset();
      const count = 9;
      const source = arena.take(count * width, randomArray(rng, count * width));
      // The order lives in the arena too (the trainer keeps the epoch's permutation there).
      const orderFloats = arena.take(count);
      const order = new Uint32Array(orderFloats.buffer, orderFloats.byteOffset, count);
      order.set([8, 0, 5, 5, 2, 7, 1, 3, 4]);
      const out = arena.take(rows * width);
      wasm.gatherRows(source, order, 2, rows, width, out); // rows 5, 5, 2, 7, 1, 3, 4
      const want = new Float32Array(rows * width);
      ref.gatherRows(source, order, 2, rows, width, want);
      assert.equal(Array.from(out), Array.from(want), `width ${width}, ${rows} rows`);
      // By hand: output row 0 is source row 5, row 3 source row 7, row 6 source row 4.
      for (const [r, from] of [
        [0, 5],
        [3, 7],
        [6, 4],
      ]) {
        if (r < rows)
          assert.equal(
            Array.from(out.subarray(r * width, (r + 1) * width)),
            Array.from(source.subarray(from * width, (from + 1) * width)),
          );
      }
    }
  }
});

s('addRow and sumRows match the reference', () => {
  for (const m of SIZES) {
    for (const n of SIZES) {
      arena.reset();
      const rng = createRng(3, m, n);
      const a = randomArray(rng, m * n),
        row = randomArray(rng, n);
      const want = a.slice(),
        wantSum = new Float32Array(n);
      ref.addRow(want, row, m, n);
      ref.sumRows(a, wantSum, m, n);
      const got = arena.take(m * n, a),
        gotSum = arena.take(n, randomArray(rng, n));
      wasm.sumRows(got, gotSum, m, n);
      wasm.addRow(got, arena.take(n, row), m, n);
      check('addRow', got, want, `m=${m} n=${n}`);
      check('sumRows', gotSum, wantSum, `m=${m} n=${n}`);
    }
  }
});

s('softmaxCrossEntropy matches the reference in loss and gradient', () => {
  for (const m of [1, 3, 7, 33]) {
    for (const n of SIZES) {
      arena.reset();
      const rng = createRng(4, m, n);
      const logits = randomArray(rng, m * n, 5);
      const targets = Float32Array.from({ length: m }, () => rng.int(n));
      const want = new Float32Array(m * n);
      const wantLoss = ref.softmaxCrossEntropy(logits, targets, want, m, n);
      const got = arena.take(m * n);
      const loss = wasm.softmaxCrossEntropy(arena.take(m * n, logits), arena.take(m, targets), got, m, n);
      check('softmaxCrossEntropy', got, want, `m=${m} n=${n}`);
      check('softmaxCE loss', [loss], [wantLoss], `m=${m} n=${n}`);
      // In place (dlogits over the logits): the same loss and gradient bits.
      const inPlace = arena.take(m * n, logits);
      assert.is(
        wasm.softmaxCrossEntropy(inPlace, arena.take(m, targets), inPlace, m, n),
        loss,
        `in place m=${m} n=${n}`,
      );
      assert.equal(Array.from(inPlace), Array.from(got), `in place m=${m} n=${n}`);
    }
  }
  arena.reset();
  const d = arena.take(2);
  const loss = wasm.softmaxCrossEntropy(arena.take(2, [1000, -1000]), arena.take(1, [1]), d, 1, 2);
  assert.ok(Math.abs(loss - 2000) < 1e-3, `loss for logits ±1000: ${loss}`);
  assert.equal(Array.from(d), [1, -1]);
});

s.after(() => errors.print());
s.run();
