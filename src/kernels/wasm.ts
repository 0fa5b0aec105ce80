import { checkSampleRange, DROPOUT_KEY, dropThreshold, keepFactor } from '../random/dropout-mask.ts';
import type { Kernels } from './types.ts';
import { chooseKernelBuild, compileKernelBuild } from './wasm-build.ts';
import { windowKernels, type ArenaOffset, type WindowExports } from './wasm-window.ts';

/**
 * The WebAssembly SIMD kernels (source: ./assembly, built by `npm run build:wasm`), bound to the
 * run's shared memory. Every array must be a Float32Array view of that memory: the kernels get
 * byte offsets, not copies. The lowest WASM_RESERVED_BYTES belong to the module (its math tables
 * and the packing panels of the matrix products); tensors must start at or above that offset.
 */
export const WASM_RESERVED_BYTES = 40 * 65536;

/** The raw exports: pointers are byte offsets, booleans are 0/1. */
interface KernelExports extends WindowExports {
  matmul(a: number, b: number, out: number, m: number, k: number, n: number): void;
  matmulAT(a: number, b: number, out: number, m: number, k: number, n: number): void;
  matmulBT(a: number, b: number, out: number, m: number, n: number, k: number): void;
  addRow(out: number, row: number, m: number, n: number): void;
  sumRows(a: number, out: number, m: number, n: number): void;
  reluForward(x: number, y: number, len: number): void;
  reluBackward(x: number, dout: number, dx: number, len: number): void;
  sigmoidForward(x: number, y: number, len: number): void;
  sigmoidBackward(y: number, dout: number, dx: number, len: number): void;
  tanhForward(x: number, y: number, len: number): void;
  tanhBackward(y: number, dout: number, dx: number, len: number): void;
  softmaxCrossEntropy(logits: number, targets: number, dlogits: number, m: number, n: number): number;
  softmaxCrossEntropyDense(logits: number, targets: number, dlogits: number, m: number, n: number): number;
  softmaxCrossEntropyWeighted(
    logits: number,
    targets: number,
    weights: number,
    dlogits: number,
    m: number,
    n: number,
  ): number;
  softmaxCrossEntropyDenseWeighted(
    logits: number,
    targets: number,
    weights: number,
    dlogits: number,
    m: number,
    n: number,
  ): number;
  reduceSlots4(
    out: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    count: number,
    len: number,
    first: number,
    last: number,
    scale: number,
  ): number;
  sgd(w: number, g: number, len: number, lr: number, wd: number, wOut: number): void;
  momentum(
    w: number,
    g: number,
    v: number,
    len: number,
    lr: number,
    mu: number,
    wd: number,
    wOut: number,
    vOut: number,
  ): void;
  adagrad(
    w: number,
    g: number,
    h: number,
    len: number,
    lr: number,
    eps: number,
    wd: number,
    wOut: number,
    hOut: number,
  ): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    len: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    wd: number,
    c1: number,
    c2: number,
    wOut: number,
    mOut: number,
    vOut: number,
  ): void;
  gatherRows(source: number, order: number, first: number, rows: number, width: number, out: number): void;
  gatherByteRows(
    source: number,
    values: number,
    order: number,
    first: number,
    rows: number,
    width: number,
    out: number,
  ): void;
  dropoutMask(
    mask: number,
    rows: number,
    units: number,
    threshold: number,
    keep: number,
    samples: number,
    first: number,
    seed: number,
    step: number,
    layer: number,
    key1: number,
  ): void;
  staticDataEnd(): number;
  panelLocks(): number;
  panelCount(): number;
  panelsEnd(): number;
  /** Forces matmul/matmulAT/matmulBT's path on this instance: 0 chooses per call, 1 skips zeros, 2 dense, 3 as 1 but
   * xᵀ·dout per column. */
  setSparsePath(mode: number): void;
}

// Compiled once per thread; instances (one per memory) share it.
let compiled: WebAssembly.Module | undefined;

/**
 * A worker thread takes the module its main thread compiled (passed in its task: threads of one
 * process share the compiled code) instead of reading and compiling the file again; a thread run
 * from a bundle could not find the file next to its code anyway.
 */
export function adoptKernelModule(module: WebAssembly.Module): void {
  compiled ??= module;
}

/**
 * The compiled module (e.g. to post to a thread that cannot import TypeScript): the FMA build where
 * the engine runs relaxed SIMD, else the plain one (wasm-build.ts).
 */
export function kernelModule(): WebAssembly.Module {
  compiled ??= compileKernelBuild(chooseKernelBuild());
  return compiled;
}

/** Instantiates the kernels on `memory` and returns the raw exports (tests and benchmarks). */
export function instantiateKernels(memory: WebAssembly.Memory, module = kernelModule()): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/** A Float32Array view of `length` floats at `offsetBytes` of `memory`, outside the reserved bytes. */
export function carve(memory: WebAssembly.Memory, offsetBytes: number, length: number): Float32Array {
  if (offsetBytes < WASM_RESERVED_BYTES || offsetBytes % 4 !== 0) {
    throw new Error(`carve: offset ${offsetBytes} must be a multiple of 4 and at least ${WASM_RESERVED_BYTES}`);
  }
  return new Float32Array(memory.buffer, offsetBytes, length);
}

/** The kernels on `memory`; `module` picks a build (tests and benchmarks compare the two). */
export function createWasmKernels(memory: WebAssembly.Memory, module = kernelModule()): Kernels {
  const wasm = instantiateKernels(memory, module);

  // The getter of a shared memory's buffer is a call into the engine (~0.1 µs, a few per kernel
  // call): it is read again only when a view does not match, e.g. after memory.grow().
  let buffer = memory.buffer;
  /** The byte offset of `array`, after checking it is an arena view holding `count` floats. */
  const at: ArenaOffset = (array, count, name) => {
    // A kernel writing through a bad offset would silently corrupt a neighbouring tensor in the
    // shared arena, so these cheap checks run on every call.
    if (array.buffer !== buffer && array.buffer !== (buffer = memory.buffer)) {
      throw new Error(
        `wasm kernels: '${name}' is not a view of the run's WebAssembly.Memory ` +
          '(arrays must be carved from the arena; after memory.grow() views must be rebuilt)',
      );
    }
    if (array.byteOffset < WASM_RESERVED_BYTES) {
      throw new Error(
        `wasm kernels: '${name}' starts at byte ${array.byteOffset}, ` +
          `inside the ${WASM_RESERVED_BYTES} bytes reserved for the module`,
      );
    }
    if (array.length < count) {
      const unit = array instanceof Uint8Array ? 'bytes' : 'floats';
      throw new Error(`wasm kernels: '${name}' holds ${array.length} ${unit}, the call needs ${count}`);
    }
    return array.byteOffset;
  };
  // An optimizer's output vector: its own input (in place) or clear of it. A partial overlap would
  // read values the same call already wrote.
  const updated = (target: Float32Array, source: Float32Array, count: number, name: string): number => {
    const to = at(target, count, name),
      from = source.byteOffset,
      bytes = count * 4;
    if (to !== from && to < from + bytes && from < to + bytes) {
      throw new Error(`wasm kernels: '${name}' partly overlaps its input; it must be the same array or clear of it`);
    }
    return to;
  };

  return {
    name: 'wasm',
    ...windowKernels(wasm, at),
    matmul(a, b, out, m, k, n) {
      wasm.matmul(at(a, m * k, 'a'), at(b, k * n, 'b'), at(out, m * n, 'out'), m, k, n);
    },
    matmulAT(a, b, out, m, k, n) {
      wasm.matmulAT(at(a, m * k, 'a'), at(b, m * n, 'b'), at(out, k * n, 'out'), m, k, n);
    },
    matmulBT(a, b, out, m, n, k) {
      wasm.matmulBT(at(a, m * n, 'a'), at(b, k * n, 'b'), at(out, m * k, 'out'), m, n, k);
    },
    addRow(out, row, m, n) {
      wasm.addRow(at(out, m * n, 'out'), at(row, n, 'row'), m, n);
    },
    sumRows(a, out, m, n) {
      wasm.sumRows(at(a, m * n, 'a'), at(out, n, 'out'), m, n);
    },
    reluForward(x, y, len) {
      wasm.reluForward(at(x, len, 'x'), at(y, len, 'y'), len);
    },
    reluBackward(x, dout, dx, len) {
      wasm.reluBackward(at(x, len, 'x'), at(dout, len, 'dout'), at(dx, len, 'dx'), len);
    },
    sigmoidForward(x, y, len) {
      wasm.sigmoidForward(at(x, len, 'x'), at(y, len, 'y'), len);
    },
    sigmoidBackward(y, dout, dx, len) {
      wasm.sigmoidBackward(at(y, len, 'y'), at(dout, len, 'dout'), at(dx, len, 'dx'), len);
    },
    tanhForward(x, y, len) {
      wasm.tanhForward(at(x, len, 'x'), at(y, len, 'y'), len);
    },
    tanhBackward(y, dout, dx, len) {
      wasm.tanhBackward(at(y, len, 'y'), at(dout, len, 'dout'), at(dx, len, 'dx'), len);
    },
    softmaxCrossEntropy(logits, targets, dlogits, m, n) {
      return wasm.softmaxCrossEntropy(
        at(logits, m * n, 'logits'),
        at(targets, m, 'targets'),
        at(dlogits, m * n, 'dlogits'),
        m,
        n,
      );
    },
    softmaxCrossEntropyDense(logits, targets, dlogits, m, n) {
      return wasm.softmaxCrossEntropyDense(
        at(logits, m * n, 'logits'),
        at(targets, m * n, 'targets'),
        at(dlogits, m * n, 'dlogits'),
        m,
        n,
      );
    },
    softmaxCrossEntropyWeighted(logits, targets, weights, dlogits, m, n) {
      return wasm.softmaxCrossEntropyWeighted(
        at(logits, m * n, 'logits'),
        at(targets, m, 'targets'),
        at(weights, n, 'weights'),
        at(dlogits, m * n, 'dlogits'),
        m,
        n,
      );
    },
    softmaxCrossEntropyDenseWeighted(logits, targets, weights, dlogits, m, n) {
      return wasm.softmaxCrossEntropyDenseWeighted(
        at(logits, m * n, 'logits'),
        at(targets, m * n, 'targets'),
        at(weights, n, 'weights'),
        at(dlogits, m * n, 'dlogits'),
        m,
        n,
      );
    },
    reduceSlots(slots, out, len, scale) {
      if (slots.length === 0) {
        // an empty sum, as the reference
        out.fill(0 * scale, 0, len);
        return len === 0 || Number.isFinite(0 * scale);
      }
      return reduceInGroups(
        wasm,
        slots.map((slot, s) => at(slot, len, `slots[${s}]`)),
        at(out, len, 'out'),
        len,
        scale,
      );
    },
    gatherRows(source, order, first, rows, width, out) {
      let highest = 0;
      for (let r = 0; r < rows; r++) highest = Math.max(highest, order[first + r]);
      wasm.gatherRows(
        at(source, (highest + 1) * width, 'source'),
        at(order, first + rows, 'order'),
        first,
        rows,
        width,
        at(out, rows * width, 'out'),
      );
    },
    gatherByteRows(source, values, order, first, rows, width, out) {
      let highest = first + rows - 1;
      if (order) {
        highest = 0;
        for (let r = 0; r < rows; r++) highest = Math.max(highest, order[first + r]);
      }
      // Bytes: `at` counts elements, so a Uint8Array view holding (highest + 1) × width of them.
      wasm.gatherByteRows(
        at(source, (highest + 1) * width, 'source'),
        at(values, 256, 'values'),
        order ? at(order, first + rows, 'order') : 0,
        first,
        rows,
        width,
        at(out, rows * width, 'out'),
      );
    },
    dropoutMask(mask, rows, units, rate, seed, step, layer, samples, first) {
      const threshold = dropThreshold(rate);
      checkSampleRange(samples, first, rows);
      wasm.dropoutMask(
        at(mask, rows * units, 'mask'),
        rows,
        units,
        threshold,
        keepFactor(rate),
        at(samples, first + rows, 'samples'),
        first,
        seed,
        step,
        layer,
        DROPOUT_KEY,
      );
    },
    sgd(w, g, len, lr, weightDecay, wOut = w) {
      wasm.sgd(at(w, len, 'w'), at(g, len, 'g'), len, lr, weightDecay, updated(wOut, w, len, 'wOut'));
    },
    momentum(w, g, v, len, lr, mu, weightDecay, wOut = w, vOut = v) {
      wasm.momentum(
        at(w, len, 'w'),
        at(g, len, 'g'),
        at(v, len, 'v'),
        len,
        lr,
        mu,
        weightDecay,
        updated(wOut, w, len, 'wOut'),
        updated(vOut, v, len, 'vOut'),
      );
    },
    adagrad(w, g, h, len, lr, eps, weightDecay, wOut = w, hOut = h) {
      wasm.adagrad(
        at(w, len, 'w'),
        at(g, len, 'g'),
        at(h, len, 'h'),
        len,
        lr,
        eps,
        weightDecay,
        updated(wOut, w, len, 'wOut'),
        updated(hOut, h, len, 'hOut'),
      );
    },
    adam(w, g, m, v, len, lr, beta1, beta2, eps, weightDecay, t, wOut = w, mOut = m, vOut = v) {
      // The bias corrections in f64, as the reference computes them, then one rounding to f32.
      wasm.adam(
        at(w, len, 'w'),
        at(g, len, 'g'),
        at(m, len, 'm'),
        at(v, len, 'v'),
        len,
        lr,
        beta1,
        beta2,
        eps,
        weightDecay,
        1 - beta1 ** t,
        1 - beta2 ** t,
        updated(wOut, w, len, 'wOut'),
        updated(mOut, m, len, 'mOut'),
        updated(vOut, v, len, 'vOut'),
      );
    },
  };
}

/**
 * Sums the slots four per call, in slot order, and scales once at the end. Later groups read
 * `out` back, so `out` may coincide with one of the first four slots (it is read before it is
 * written, element by element) but must not overlap any other slot.
 */
function reduceInGroups(wasm: KernelExports, slots: number[], out: number, len: number, scale: number): boolean {
  const bytes = len * 4;
  slots.forEach((slot, s) => {
    const overlaps = slot < out + bytes && out < slot + bytes;
    if (overlaps && len > 0 && !(slot === out && s < 4)) {
      throw new Error(
        `wasm kernels: reduceSlots output overlaps slots[${s}]; it may only coincide with one of slots[0..3]`,
      );
    }
  });
  let finite = 1;
  for (let first = 0; first < slots.length; first += 4) {
    const count = Math.min(4, slots.length - first);
    const last = first + 4 >= slots.length;
    finite = wasm.reduceSlots4(
      out,
      slots[first],
      slots[first + 1] ?? 0,
      slots[first + 2] ?? 0,
      slots[first + 3] ?? 0,
      count,
      len,
      first === 0 ? 1 : 0,
      last ? 1 : 0,
      scale,
    );
  }
  return finite === 1; // the last call wrote every final value, so its check covers them all
}
