import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena, maxRelativeError, randomArray } from './wasm-compare.ts';

/** Softmax cross-entropy with class weights, class indices and dense targets, on both backends. */
const s = suite('softmaxCrossEntropyWeighted and softmaxCrossEntropyDenseWeighted, reference and wasm');
const arena = createArena(64);
const wasm = createWasmKernels(arena.memory);
const ln = Math.log;

const backends: Array<[string, Kernels, (values: ArrayLike<number>) => Float32Array]> = [
  ['reference', referenceKernels, (values) => Float32Array.from(values)],
  ['wasm', wasm, (values) => arena.take(values.length, values)],
];

for (const [backend, kernels, array] of backends) {
  // Row 0: logits [0, ln 3] → softmax [1/4, 3/4], class 1, weight 2: loss 2·ln(4/3), grad 2·[1/4, −1/4].
  // Row 1: logits [ln 3, 0] → softmax [3/4, 1/4], class 0, weight ½: loss ½·ln(4/3), grad ½·[−1/4, 1/4].
  s(`${backend}: class indices — each row's loss and gradient times its class's weight`, () => {
    arena.reset();
    const d = array([0, 0, 0, 0]);
    const loss = kernels.softmaxCrossEntropyWeighted(
      array([0, ln(3), ln(3), 0]),
      array([1, 0]),
      array([0.5, 2]),
      d,
      2,
      2,
    );
    assert.ok(Math.abs(loss - 2.5 * ln(4 / 3)) < 1e-6, `loss ${loss}`);
    [0.5, -0.5, -0.125, 0.125].forEach((g, i) => assert.ok(Math.abs(d[i] - g) < 1e-6, `d[${i}] = ${d[i]}`));
  });

  // Targets [0.1, 0.9], weights [2, ½]: w ⊙ t = [0.2, 0.45], mass 0.65;
  // loss 0.2·ln 4 + 0.45·(ln 4 − ln 3); grad 0.65·[1/4, 3/4] − [0.2, 0.45] = [−0.0375, 0.0375].
  s(`${backend}: dense targets — the dense loss of the targets w ⊙ t`, () => {
    arena.reset();
    const d = array([0, 0]);
    const loss = kernels.softmaxCrossEntropyDenseWeighted(
      array([0, ln(3)]),
      array([0.1, 0.9]),
      array([2, 0.5]),
      d,
      1,
      2,
    );
    assert.ok(Math.abs(loss - (0.65 * ln(4) - 0.45 * ln(3))) < 1e-6, `loss ${loss}`);
    [-0.0375, 0.0375].forEach((g, i) => assert.ok(Math.abs(d[i] - g) < 1e-6, `d[${i}] = ${d[i]}`));
  });

  s(`${backend}: weights of 1 give the unweighted kernels' results bit for bit`, () => {
    arena.reset();
    const rng = createRng(3);
    const [m, n] = [5, 7];
    const logits = array(randomArray(rng, m * n, 3));
    const classes = array(Array.from({ length: m }, () => rng.int(n)));
    const dense = array(Array.from({ length: m * n }, () => rng.next()));
    const ones = array(new Array(n).fill(1));
    const [a, b] = [array(new Array(m * n).fill(0)), array(new Array(m * n).fill(0))];
    assert.is(
      kernels.softmaxCrossEntropyWeighted(logits, classes, ones, a, m, n),
      kernels.softmaxCrossEntropy(logits, classes, b, m, n),
    );
    assert.equal(Array.from(a), Array.from(b));
    assert.is(
      kernels.softmaxCrossEntropyDenseWeighted(logits, dense, ones, a, m, n),
      kernels.softmaxCrossEntropyDense(logits, dense, b, m, n),
    );
    assert.equal(Array.from(a), Array.from(b));
  });
}

s('wasm matches the reference on random logits, targets and weights, also in place over the logits', () => {
  for (const m of [1, 3, 33]) {
    for (const n of [2, 7, 257]) {
      arena.reset();
      const rng = createRng(7, m, n);
      const logits = randomArray(rng, m * n, 5);
      const classes = Float32Array.from({ length: m }, () => rng.int(n));
      const dense = Float32Array.from({ length: m * n }, () => rng.next());
      const weights = Float32Array.from({ length: n }, () => 3 * rng.next());
      for (const kind of ['indices', 'dense'] as const) {
        const want = new Float32Array(m * n);
        const targets = kind === 'indices' ? classes : dense;
        const call = (k: Kernels, x: Float32Array, t: Float32Array, w: Float32Array, d: Float32Array) =>
          kind === 'indices'
            ? k.softmaxCrossEntropyWeighted(x, t, w, d, m, n)
            : k.softmaxCrossEntropyDenseWeighted(x, t, w, d, m, n);
        const wantLoss = call(referenceKernels, logits, targets, weights, want);
        const [t, w] = [arena.take(targets.length, targets), arena.take(n, weights)];
        const got = arena.take(m * n);
        const loss = call(wasm, arena.take(m * n, logits), t, w, got);
        assert.ok(maxRelativeError(got, want) < 1e-5, `${kind} gradient m=${m} n=${n}`);
        assert.ok(maxRelativeError([loss], [wantLoss]) < 1e-6, `${kind} loss m=${m} n=${n}: ${loss} vs ${wantLoss}`);
        const inPlace = arena.take(m * n, logits);
        assert.is(call(wasm, inPlace, t, w, inPlace), loss, `${kind} in place m=${m} n=${n}`);
        assert.equal(Array.from(inPlace), Array.from(got));
      }
    }
  }
});

s('wasm refuses weights that are not a view of its memory or hold fewer than one per class', () => {
  arena.reset();
  const [logits, targets, d] = [arena.take(4), arena.take(2), arena.take(4)];
  assert.throws(
    () => wasm.softmaxCrossEntropyWeighted(logits, targets, new Float32Array(2), d, 2, 2),
    /'weights' is not a view of the run's WebAssembly.Memory/,
  );
  assert.throws(
    () => wasm.softmaxCrossEntropyDenseWeighted(logits, arena.take(4), arena.take(1), d, 2, 2),
    /'weights' holds 1 floats/,
  );
});

s.run();
