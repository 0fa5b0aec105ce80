import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WASM_RESERVED_BYTES, carve, createWasmKernels, instantiateKernels } from '../../src/kernels/wasm.ts';

const s = suite('wasm kernels and the shared memory');
/** The reserved bytes and one page for tensors. */
const PAGES = WASM_RESERVED_BYTES / 65536 + 1;

s('imports shared memories of any size from 1 page to 4 GiB', () => {
  for (const pages of [1, 2, 1024, 65536]) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: pages, shared: true });
    assert.ok(instantiateKernels(memory), `maximum ${pages} pages`);
  }
  const exact = new WebAssembly.Memory({ initial: 17, maximum: 17, shared: true });
  assert.ok(createWasmKernels(exact));
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
