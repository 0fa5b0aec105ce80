import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels } from '../../src/kernels/reference.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng, permutation } from '../../src/random.ts';
import { createArena } from './wasm-compare.ts';

/** The dropout mask kernel: wasm (64-bit products) against the reference (the definition), bit for bit. */
const s = suite('dropoutMask, wasm against the reference');
const arena = createArena(256);
const wasm = createWasmKernels(arena.memory);

s('the same mask bit for bit: widths 1–13 and 784, rates, seeds up to 2³² − 1, large steps and sample ids', () => {
  const order = permutation(5000, createRng(2));
  const samples = new Uint32Array(arena.memory.buffer, arena.take(5000).byteOffset, 5000);
  samples.set(order);
  const cases: Array<[number, number, number, number, number, number, number]> = [];
  for (const units of [1, 2, 3, 4, 5, 7, 8, 13, 784]) cases.push([9, units, 0.5, 42, 0, 3, 100]);
  cases.push([7, 10, 0.1, 2 ** 32 - 1, 2 ** 31 + 5, 0, 4990], [3, 6, 0.9, 0, 123456789, 200, 0]);
  for (const [rows, units, rate, seed, step, layer, first] of cases) {
    const want = new Float32Array(rows * units);
    referenceKernels.dropoutMask(want, rows, units, rate, seed, step, layer, order, first);
    const got = arena.take(rows * units);
    wasm.dropoutMask(got, rows, units, rate, seed, step, layer, samples, first);
    assert.equal(Array.from(got), Array.from(want), `rows ${rows} units ${units} rate ${rate} seed ${seed}`);
    if (rows * units > 20) assert.ok(want.includes(0) && !want.every((v) => v === 0), 'a real mask');
  }
});

s('wasm refuses a bad rate, too few sample indices, and arrays outside its memory', () => {
  arena.reset();
  const mask = arena.take(8);
  const samples = new Uint32Array(arena.memory.buffer, arena.take(4).byteOffset, 4);
  assert.throws(() => wasm.dropoutMask(mask, 2, 4, 1, 0, 0, 0, samples, 0), /dropout rate 1 is outside/);
  assert.throws(() => wasm.dropoutMask(mask, 2, 4, 0.5, 0, 0, 0, samples, 3), /rows 3\.\.4 but only 4 sample/);
  assert.throws(
    () => wasm.dropoutMask(new Float32Array(8), 2, 4, 0.5, 0, 0, 0, samples, 0),
    /'mask' is not a view of the run's WebAssembly.Memory/,
  );
  assert.throws(() => wasm.dropoutMask(mask, 2, 4, 0.5, 0, 0, 0, Uint32Array.of(1, 2), 0), /'samples' is not a view/);
});

s.run();
