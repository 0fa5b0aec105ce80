/**
 * gatherByteRows: rows of bytes decoded through a table of 256 float32 values, as a chunk gathers
 * image data (src/data/types.ts ByteInputs). Checked by hand (out = table[byte] of the row the
 * order names), wasm against the reference, and on every one of the 256 byte values.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceKernels as ref } from '../../src/kernels/reference.ts';
import { createWasmKernels } from '../../src/kernels/wasm.ts';
import { createRng } from '../../src/random.ts';
import { createArena } from './wasm-compare.ts';

const s = suite('gatherByteRows');
const arena = createArena();
const wasm = createWasmKernels(arena.memory);

/** Views of `length` bytes and of `length` uint32 in the arena (the kernel reads arena offsets only). */
const bytesIn = (length: number) => {
  const floats = arena.take(Math.ceil(length / 4));
  return new Uint8Array(floats.buffer, floats.byteOffset, length);
};
const orderIn = (values: number[]) => {
  const floats = arena.take(values.length);
  const order = new Uint32Array(floats.buffer, floats.byteOffset, values.length);
  order.set(values);
  return order;
};

/** A table no two entries alike and not a simple function of the byte: a wrong index shows. */
function scrambledTable(): Float32Array {
  const rng = createRng(3);
  return Float32Array.from({ length: 256 }, (_, b) => b * 1000 + Math.fround(rng.normal()));
}

s('decodes the rows an order names through the table, for odd widths and row counts, by hand', () => {
  const rng = createRng(7);
  // The kernel reads four bytes at a time: widths around multiples of 4 cover its tail.
  for (const width of [1, 2, 3, 4, 5, 7, 8, 17, 784]) {
    for (const rows of [1, 3, 7]) {
      arena.reset();
      const values = arena.take(256, scrambledTable());
      const count = 9;
      const source = bytesIn(count * width);
      for (let i = 0; i < source.length; i++) source[i] = Math.floor(rng.next() * 256);
      const order = orderIn([8, 0, 5, 5, 2, 7, 1, 3, 4]);
      const out = arena.take(rows * width + 1);
      out[rows * width] = -1; // the float after the last row must stay untouched
      wasm.gatherByteRows(source, values, order, 2, rows, width, out); // rows 5, 5, 2, 7, 1, 3, 4
      const picked = [5, 5, 2, 7, 1, 3, 4].slice(0, rows);
      const want = picked.flatMap((row) =>
        Array.from(source.subarray(row * width, (row + 1) * width), (b) => values[b]),
      );
      assert.equal(Array.from(out.subarray(0, rows * width)), want, `width ${width}, ${rows} rows`);
      assert.is(out[rows * width], -1, `width ${width}: wrote past the rows`);
      const reference = new Float32Array(rows * width);
      ref.gatherByteRows(source, values, order, 2, rows, width, reference);
      assert.equal(Array.from(reference), want, `reference, width ${width}, ${rows} rows`);
    }
  }
});

s('without an order takes rows first, first + 1, … in place (evaluation chunks)', () => {
  arena.reset();
  const values = arena.take(256, scrambledTable());
  const width = 5;
  const source = bytesIn(6 * width);
  source.set(Array.from({ length: 6 * width }, (_, i) => (i * 37) % 256));
  const out = arena.take(3 * width);
  wasm.gatherByteRows(source, values, null, 2, 3, width, out);
  assert.equal(
    Array.from(out),
    Array.from(source.subarray(2 * width, 5 * width), (b) => values[b]),
  );
  const reference = new Float32Array(3 * width);
  ref.gatherByteRows(source, values, null, 2, 3, width, reference);
  assert.equal(Array.from(reference), Array.from(out));
});

s('every byte value 0–255 decodes to its own table entry, bit for bit', () => {
  arena.reset();
  const table = Float32Array.from({ length: 256 }, (_, b) => Math.fround(b / 255));
  const values = arena.take(256, table);
  const source = bytesIn(256);
  source.set(Array.from({ length: 256 }, (_, b) => 255 - b)); // one row of all 256 values
  const out = arena.take(256);
  wasm.gatherByteRows(source, values, orderIn([0]), 0, 1, 256, out);
  for (let b = 0; b < 256; b++) assert.ok(Object.is(out[255 - b], Math.fround(b / 255)), `byte ${b}`);
});

s('refuses a source not in the arena and a table shorter than 256 values', () => {
  arena.reset();
  const values = arena.take(256);
  const out = arena.take(4);
  assert.throws(
    () => wasm.gatherByteRows(new Uint8Array(4), values, null, 0, 1, 4, out),
    /'source' is not a view of the run's WebAssembly.Memory/,
  );
  assert.throws(() => wasm.gatherByteRows(bytesIn(4), arena.take(255), null, 0, 1, 4, out), /'values' holds 255/);
  assert.throws(() => wasm.gatherByteRows(bytesIn(4), values, null, 0, 2, 4, out), /'source' holds 4 bytes/);
});

s.run();
