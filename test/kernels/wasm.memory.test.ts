import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WASM_RESERVED_BYTES, carve, createWasmKernels, instantiateKernels } from '../../src/kernels/wasm.ts';

const s = suite('wasm kernels and the shared memory');
/** The reserved bytes and one page for tensors. */
const PAGES = WASM_RESERVED_BYTES / 65536 + 1;

s('imports shared memories of any maximum from 1 page to 4 GiB, and writes its tables into them', () => {
  let first: Uint8Array | undefined;
  for (const pages of [1, 2, 1024, 65536]) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: pages, shared: true });
    const raw = instantiateKernels(memory);
    // Instantiating copies the module's static data (its math tables, from byte 1024) into this memory.
    const tables = new Uint8Array(memory.buffer, 1024, raw.staticDataEnd() - 1024).slice();
    assert.ok(tables.filter((byte) => byte !== 0).length > tables.length / 2, `maximum ${pages}: tables written`);
    if (first) assert.equal(tables, first, `maximum ${pages}: the same tables`);
    first ??= tables;
  }
  // Built with --sharedMemory: an unshared memory is refused, not silently copied.
  assert.throws(() => instantiateKernels(new WebAssembly.Memory({ initial: 1, maximum: 1 })), /shared/);
});

s('computes in the last bytes of a memory with no spare page', () => {
  const exact = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const wasm = createWasmKernels(exact);
  const x = carve(exact, PAGES * 65536 - 32, 4);
  const y = carve(exact, PAGES * 65536 - 16, 4);
  x.set([-2, -0.5, 0.25, 3]);
  wasm.reluForward(x, y, 4);
  assert.equal(Array.from(y), [0, 0, 0.25, 3]);
});

s('keeps its static data below the packing panels, all inside the reserved bytes', () => {
  const raw = instantiateKernels(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  assert.ok(raw.staticDataEnd() <= raw.panelLocks(), `static data ends at ${raw.staticDataEnd()}`);
  assert.ok(raw.panelLocks() + 4 * raw.panelCount() <= WASM_RESERVED_BYTES);
  assert.ok(raw.panelsEnd() <= WASM_RESERVED_BYTES, `panels end at ${raw.panelsEnd()}`);
});

s('rejects arrays that are not views of its memory, with a clear error', () => {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const wasm = createWasmKernels(memory);
  const inArena = carve(memory, WASM_RESERVED_BYTES, 4);
  assert.throws(
    () => wasm.reluForward(new Float32Array(4), inArena, 4),
    /'x' is not a view of the run's WebAssembly\.Memory/,
  );
  const other = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  assert.throws(() => wasm.reluForward(carve(other, WASM_RESERVED_BYTES, 4), inArena, 4), /not a view/);
});

s('after memory.grow() takes views of the grown memory and rejects the older ones', () => {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES + 1, shared: true });
  const wasm = createWasmKernels(memory);
  const before = carve(memory, WASM_RESERVED_BYTES, 4);
  before.set([-1, 2, -3, 4]);
  wasm.reluForward(before, before, 4); // the kernels remember the buffer of this call
  memory.grow(1);
  const after = carve(memory, WASM_RESERVED_BYTES, 4);
  wasm.reluForward(after, after, 4);
  assert.equal(Array.from(after), [0, 2, 0, 4]);
  assert.throws(() => wasm.reluForward(before, after, 4), /'x' is not a view .*after memory\.grow\(\)/);
});

s('rejects views inside the reserved bytes or shorter than the call needs', () => {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const wasm = createWasmKernels(memory);
  const x = carve(memory, WASM_RESERVED_BYTES, 4);
  assert.throws(() => wasm.reluForward(x, new Float32Array(memory.buffer, 1024, 4), 4), /reserved/);
  assert.throws(() => wasm.matmul(x, x, x, 2, 2, 3), /'b' holds 4 floats, the call needs 6/);
  assert.throws(() => carve(memory, 0, 4), new RegExp(`at least ${WASM_RESERVED_BYTES}`));
});

s('sees writes made through views, and its writes are seen', () => {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const wasm = createWasmKernels(memory);
  const x = carve(memory, WASM_RESERVED_BYTES, 3);
  const y = carve(memory, WASM_RESERVED_BYTES + 64, 3);
  x.set([-1, 0.5, 2]);
  wasm.reluForward(x, y, 3);
  assert.equal(Array.from(y), [0, 0.5, 2]);
});

s.run();
