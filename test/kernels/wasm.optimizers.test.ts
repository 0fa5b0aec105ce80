import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena, createErrorLog, maxRelativeError, randomArray } from './wasm-compare.ts';

const s = suite('wasm optimizers and slot reduction');
const arena = createArena();
const wasm = createWasmKernels(arena.memory);
const errors = createErrorLog();
const TOLERANCE = 1e-5;
const LENGTHS = [1, 3, 7, 33, 257];

/**
 * The change each step made to w: comparing updates, not weights, keeps a wrong step visible.
 * Steps are kept large (lr 0.1) because w itself is stored in f32: one ulp of w must stay far
 * below the tolerance relative to the update.
 */
function updates(after: Float32Array, before: Float32Array): Float32Array {
  return after.map((value, i) => value - before[i]);
}

type Step = (w: Float32Array, g: Float32Array, state: Float32Array[], t: number) => void;
const optimizers: [string, number, Step, Step][] = [
  ['sgd', 0, (w, g, _, _t) => ref.sgd(w, g, w.length, 0.1, 0.01), (w, g, _, _t) => wasm.sgd(w, g, w.length, 0.1, 0.01)],
  [
    'momentum',
    1,
    (w, g, [v]) => ref.momentum(w, g, v, w.length, 0.1, 0.9, 0.01),
    (w, g, [v]) => wasm.momentum(w, g, v, w.length, 0.1, 0.9, 0.01),
  ],
  [
    'adagrad',
    1,
    (w, g, [h]) => ref.adagrad(w, g, h, w.length, 0.1, 1e-8, 0.01),
    (w, g, [h]) => wasm.adagrad(w, g, h, w.length, 0.1, 1e-8, 0.01),
  ],
  [
    'adam',
    2,
    (w, g, [m, v], t) => ref.adam(w, g, m, v, w.length, 0.1, 0.9, 0.999, 1e-8, 0.01, t),
    (w, g, [m, v], t) => wasm.adam(w, g, m, v, w.length, 0.1, 0.9, 0.999, 1e-8, 0.01, t),
  ],
];

for (const [name, stateCount, refStep, wasmStep] of optimizers) {
  s(`${name} matches the reference over three steps`, () => {
    for (const len of LENGTHS) {
      arena.reset();
      const rng = createRng(5, len);
      const w = randomArray(rng, len);
      const state = Array.from({ length: stateCount }, () => new Float32Array(len));
      const ww = arena.take(len, w);
      const wstate = state.map(() => arena.take(len));
      for (let t = 1; t <= 3; t++) {
        const g = randomArray(rng, len);
        const before = w.slice();
        refStep(w, g, state, t);
        wasmStep(ww, arena.take(len, g), wstate, t);
        const error = errors.record(name, maxRelativeError(updates(ww, before), updates(w, before)));
        assert.ok(error < TOLERANCE, `${name} len=${len} step ${t}: update error ${error}`);
        state.forEach((want, i) => {
          const stateError = errors.record(`${name} state`, maxRelativeError(wstate[i], want));
          assert.ok(stateError < TOLERANCE, `${name} len=${len} state ${i}: error ${stateError}`);
        });
      }
    }
  });
}

// The trainer updates out of place: committed buffers in, the other buffers out (compute-thread.ts).
type OutOfPlace = (
  k: Kernels,
  w: Float32Array,
  g: Float32Array,
  state: Float32Array[],
  wOut?: Float32Array,
  stateOut?: Float32Array[],
) => void;
const outOfPlace: [string, number, OutOfPlace][] = [
  ['sgd', 0, (k, w, g, _, wOut) => k.sgd(w, g, w.length, 0.1, 0.01, wOut)],
  ['momentum', 1, (k, w, g, [v], wOut, out) => k.momentum(w, g, v, w.length, 0.1, 0.9, 0.01, wOut, out?.[0])],
  ['adagrad', 1, (k, w, g, [h], wOut, out) => k.adagrad(w, g, h, w.length, 0.1, 1e-8, 0.01, wOut, out?.[0])],
  [
    'adam',
    2,
    (k, w, g, [m, v], wOut, out) =>
      k.adam(w, g, m, v, w.length, 0.1, 0.9, 0.999, 1e-8, 0.01, 2, wOut, out?.[0], out?.[1]),
  ],
];
const bitsOf = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

for (const [name, stateCount, update] of outOfPlace) {
  s(`${name} out of place writes the in-place bits and leaves its inputs alone (wasm and reference)`, () => {
    for (const kernels of [wasm, ref]) {
      for (const len of LENGTHS) {
        arena.reset();
        const rng = createRng(23, len);
        const w = arena.take(len, randomArray(rng, len)),
          g = arena.take(len, randomArray(rng, len));
        // Positive state, as adagrad's and adam's second moments always are.
        const state = Array.from({ length: stateCount }, () => arena.take(len, randomArray(rng, len).map(Math.abs)));
        const before = [w, ...state].map((x) => x.slice());
        const wOut = arena.take(len),
          stateOut = state.map(() => arena.take(len));
        update(kernels, w, g, state, wOut, stateOut);
        assert.equal(
          [w, ...state].map(bitsOf),
          before.map(bitsOf),
          `${kernels.name} ${name} len=${len}: inputs changed`,
        );
        update(kernels, w, g, state); // in place
        assert.equal([wOut, ...stateOut].map(bitsOf), [w, ...state].map(bitsOf), `${kernels.name} ${name} len=${len}`);
      }
    }
  });
}

s('an optimizer output that partly overlaps its input is refused', () => {
  arena.reset();
  const w = arena.take(9, randomArray(createRng(29), 9)),
    g = arena.take(8);
  assert.throws(() => wasm.sgd(w.subarray(0, 8), g, 8, 0.1, 0, w.subarray(1, 9)), /wOut.*partly overlaps/);
});

s('reduceSlots matches the reference for 1 to 9 slots, into a slot or a separate output', () => {
  for (const count of [1, 2, 3, 4, 5, 8, 9]) {
    for (const len of LENGTHS) {
      arena.reset();
      const rng = createRng(6, count, len);
      const slots = Array.from({ length: count }, () => randomArray(rng, len));
      const want = new Float32Array(len);
      ref.reduceSlots(slots, want, len, 1 / 3);
      const views = slots.map((slot) => arena.take(len, slot));
      const out = arena.take(len);
      wasm.reduceSlots(views, out, len, 1 / 3);
      const error = errors.record('reduceSlots', maxRelativeError(out, want));
      assert.ok(error < TOLERANCE, `reduceSlots ${count} slots len=${len}: error ${error}`);
      wasm.reduceSlots(views, views[0], len, 1 / 3);
      assert.equal(Array.from(views[0]), Array.from(out), 'reducing into slot 0 gives the same values');
    }
  }
});

s('reduceSlots reports a NaN or ±Inf in the result, in the SIMD body and the scalar tail, like the reference', () => {
  for (const len of [1, 7, 33, 257]) {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, len - 1]) {
        arena.reset();
        const slots = [arena.take(len, new Float32Array(len).fill(1)), arena.take(len, new Float32Array(len).fill(2))];
        const out = arena.take(len);
        assert.is(wasm.reduceSlots(slots, out, len, 0.5), true, `finite len=${len}`);
        assert.is(ref.reduceSlots(slots, new Float32Array(len), len, 0.5), true);
        slots[1][at] = bad;
        assert.is(wasm.reduceSlots(slots, out, len, 0.5), false, `wasm misses ${bad} at ${at} of ${len}`);
        assert.is(ref.reduceSlots(slots, new Float32Array(len), len, 0.5), false, `reference misses ${bad}`);
      }
    }
  }
});

s('reduceSlots flags a sum that overflows float32 although every slot is finite', () => {
  arena.reset();
  const big = 3e38;
  const slots = [arena.take(4, [big, 1, 1, 1]), arena.take(4, [big, 1, 1, 1])];
  assert.is(wasm.reduceSlots(slots, arena.take(4), 4, 1), false);
});

s('reduceSlots sums in slot order then scales once (exact small case)', () => {
  arena.reset();
  const out = arena.take(2);
  wasm.reduceSlots([arena.take(2, [1, 2]), arena.take(2, [3, 4])], out, 2, 0.5);
  assert.equal(Array.from(out), [2, 3]);
  // 2^24 + 1 + 1: in slot order the 1s are each rounded away; any other order would keep them.
  wasm.reduceSlots([arena.take(1, [2 ** 24]), arena.take(1, [1]), arena.take(1, [1])], out, 1, 1);
  assert.is(out[0], 2 ** 24);
});

s('reduceSlots refuses an output overlapping a slot it reads after writing', () => {
  arena.reset();
  const slots = Array.from({ length: 6 }, () => arena.take(4, [1, 2, 3, 4]));
  assert.throws(() => wasm.reduceSlots(slots, slots[5], 4, 1), /overlaps slots\[5\]/);
});

s.after(() => errors.print());
s.run();
