import type { WindowKernels } from './types.ts';
import { imageSize, patchSize, positions, type WindowGeometry } from './window.ts';

/** The byte offset of an arena view after checking it holds `count` elements (wasm.ts's `at`). */
export type ArenaOffset = (array: Float32Array | Uint32Array | Uint8Array, count: number, name: string) => number;

/** The geometry as the exports take it: c, h, w, kh, kw, sh, sw, ph, pw, oh, ow. */
type Geometry = [number, number, number, number, number, number, number, number, number, number, number];

/** The raw convolution and pooling exports (assembly/window.ts, assembly/pool.ts): pointers are byte offsets. */
export interface WindowExports {
  im2col(x: number, col: number, rows: number, ...g: Geometry): void;
  col2im(col: number, dx: number, rows: number, ...g: Geometry): void;
  unpackChannels(a: number, bias: number, out: number, rows: number, channels: number, positions: number): void;
  packChannels(a: number, out: number, sums: number, rows: number, channels: number, positions: number): void;
  maxPool(x: number, y: number, argmax: number, rows: number, ...g: Geometry): void;
  maxPoolBackward(
    dout: number,
    argmax: number,
    dx: number,
    rows: number,
    c: number,
    h: number,
    w: number,
    outputs: number,
  ): number;
  avgPool(x: number, y: number, rows: number, ...g: Geometry): void;
  avgPoolBackward(dout: number, dx: number, rows: number, ...g: Geometry): void;
}

const flat = (g: WindowGeometry): Geometry => [
  g.channels,
  g.height,
  g.width,
  g.kernelH,
  g.kernelW,
  g.strideH,
  g.strideW,
  g.padH,
  g.padW,
  g.outH,
  g.outW,
];

/** The convolution and pooling kernels of the WebAssembly backend, every array checked by `at`. */
export function windowKernels(wasm: WindowExports, at: ArenaOffset): WindowKernels {
  const images = (rows: number, g: WindowGeometry) => rows * imageSize(g);
  const windows = (rows: number, g: WindowGeometry) => rows * positions(g) * patchSize(g);
  const pooled = (rows: number, g: WindowGeometry) => rows * g.channels * positions(g);
  return {
    im2col(x, col, rows, g) {
      wasm.im2col(at(x, images(rows, g), 'x'), at(col, windows(rows, g), 'col'), rows, ...flat(g));
    },
    col2im(col, dx, rows, g) {
      wasm.col2im(at(col, windows(rows, g), 'col'), at(dx, images(rows, g), 'dx'), rows, ...flat(g));
    },
    unpackChannels(a, bias, out, rows, channels, count) {
      const size = rows * count * channels;
      wasm.unpackChannels(at(a, size, 'a'), at(bias, channels, 'bias'), at(out, size, 'out'), rows, channels, count);
    },
    packChannels(a, out, sums, rows, channels, count) {
      const size = rows * count * channels;
      wasm.packChannels(at(a, size, 'a'), at(out, size, 'out'), at(sums, channels, 'sums'), rows, channels, count);
    },
    maxPool(x, y, argmax, rows, g) {
      const n = pooled(rows, g);
      wasm.maxPool(at(x, images(rows, g), 'x'), at(y, n, 'y'), at(argmax, n, 'argmax'), rows, ...flat(g));
    },
    maxPoolBackward(dout, argmax, dx, rows, g) {
      const n = pooled(rows, g);
      const size = images(rows, g);
      const [c, h, w] = [g.channels, g.height, g.width];
      const ok = wasm.maxPoolBackward(
        at(dout, n, 'dout'),
        at(argmax, n, 'argmax'),
        at(dx, size, 'dx'),
        rows,
        c,
        h,
        w,
        n,
      );
      // Indices come from maxPool with this geometry; a stale or foreign one would have written outside dx.
      if (!ok) throw new Error(`wasm kernels: maxPoolBackward got an argmax outside dx's ${size} values`);
    },
    avgPool(x, y, rows, g) {
      wasm.avgPool(at(x, images(rows, g), 'x'), at(y, pooled(rows, g), 'y'), rows, ...flat(g));
    },
    avgPoolBackward(dout, dx, rows, g) {
      wasm.avgPoolBackward(at(dout, pooled(rows, g), 'dout'), at(dx, images(rows, g), 'dx'), rows, ...flat(g));
    },
  };
}
