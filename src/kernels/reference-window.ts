import type { WindowKernels } from './types.ts';
import { imageSize, positions, type WindowGeometry } from './window.ts';

/**
 * The plain TypeScript convolution and pooling kernels: the reference the WebAssembly ones are
 * tested against. Every kernel walks its values in one order (im2col: window value, sample,
 * position; pooling: sample, channel, window row, window column) and the WebAssembly kernels keep
 * that order wherever values are added, so sums round the same way.
 */

/** Calls visit(pixel index into the chunk or −1 for padding, q) for q over one window's K values. */
function eachWindowValue(g: WindowGeometry, r: number, oh: number, ow: number, visit: (at: number, q: number) => void) {
  const { channels, height, width, kernelH, kernelW } = g;
  let q = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      const y = oh * g.strideH - g.padH + i;
      for (let j = 0; j < kernelW; j++, q++) {
        const x = ow * g.strideW - g.padW + j;
        const inside = y >= 0 && y < height && x >= 0 && x < width;
        visit(inside ? r * imageSize(g) + (c * height + y) * width + x : -1, q);
      }
    }
  }
}

/**
 * Calls visit(pixel index or −1, index into col) for every entry of the [K, rows·P] im2col matrix,
 * in col's order: value q = (c·kernelH + i)·kernelW + j of the window, then sample, then position.
 */
function eachColEntry(g: WindowGeometry, rows: number, visit: (at: number, e: number) => void): void {
  const columns = rows * positions(g);
  for (let c = 0; c < g.channels; c++)
    for (let i = 0; i < g.kernelH; i++)
      for (let j = 0; j < g.kernelW; j++) {
        let e = ((c * g.kernelH + i) * g.kernelW + j) * columns;
        for (let r = 0; r < rows; r++)
          for (let oh = 0; oh < g.outH; oh++) {
            const y = oh * g.strideH - g.padH + i;
            for (let ow = 0; ow < g.outW; ow++, e++) {
              const x = ow * g.strideW - g.padW + j;
              const inside = y >= 0 && y < g.height && x >= 0 && x < g.width;
              visit(inside ? ((r * g.channels + c) * g.height + y) * g.width + x : -1, e);
            }
          }
      }
}

/**
 * Σ of a row of `n` values in the order the WebAssembly kernel sums it with four lanes: value e
 * goes to lane e mod 4 (each lane summed in order, rounded to float32), then (l0 + l1) + (l2 + l3).
 */
function laneSum(row: ArrayLike<number>, from: number, n: number): number {
  const lanes = [0, 0, 0, 0];
  for (let e = 0; e < n; e++) lanes[e & 3] = Math.fround(lanes[e & 3] + row[from + e]);
  return Math.fround(Math.fround(lanes[0] + lanes[1]) + Math.fround(lanes[2] + lanes[3]));
}

export const windowReferenceKernels: WindowKernels = {
  im2col(x, col, rows, g) {
    eachColEntry(g, rows, (at, e) => (col[e] = at < 0 ? 0 : x[at]));
  },

  col2im(col, dx, rows, g) {
    dx.fill(0, 0, rows * imageSize(g));
    eachColEntry(g, rows, (at, e) => {
      if (at >= 0) dx[at] += col[e];
    });
  },

  unpackChannels(a, bias, out, rows, channels, count) {
    for (let r = 0; r < rows; r++)
      for (let f = 0; f < channels; f++)
        for (let p = 0; p < count; p++) out[(r * channels + f) * count + p] = a[(f * rows + r) * count + p] + bias[f];
  },

  packChannels(a, out, sums, rows, channels, count) {
    for (let f = 0; f < channels; f++) {
      for (let r = 0; r < rows; r++)
        for (let p = 0; p < count; p++) out[(f * rows + r) * count + p] = a[(r * channels + f) * count + p];
      sums[f] = laneSum(out, f * rows * count, rows * count);
    }
  },

  maxPool(x, y, argmax, rows, g) {
    forEachPoolWindow(g, rows, (o, r, c, oh, ow) => {
      let best = -Infinity;
      let where = -1;
      eachWindowValue({ ...g, channels: 1 }, 0, oh, ow, (at) => {
        if (at < 0) return;
        const index = at + (r * g.channels + c) * g.height * g.width;
        if (where < 0 || x[index] > best) [best, where] = [x[index], index];
      });
      y[o] = best;
      argmax[o] = where;
    });
  },

  maxPoolBackward(dout, argmax, dx, rows, g) {
    dx.fill(0, 0, rows * imageSize(g));
    const count = rows * g.channels * positions(g);
    for (let o = 0; o < count; o++) dx[argmax[o]] += dout[o];
  },

  avgPool(x, y, rows, g) {
    const area = g.kernelH * g.kernelW;
    forEachPoolWindow(g, rows, (o, r, c, oh, ow) => {
      let sum = 0;
      eachWindowValue({ ...g, channels: 1 }, 0, oh, ow, (at) => {
        if (at >= 0) sum += x[at + (r * g.channels + c) * g.height * g.width];
      });
      y[o] = sum / area;
    });
  },

  avgPoolBackward(dout, dx, rows, g) {
    const area = g.kernelH * g.kernelW;
    dx.fill(0, 0, rows * imageSize(g));
    forEachPoolWindow(g, rows, (o, r, c, oh, ow) => {
      eachWindowValue({ ...g, channels: 1 }, 0, oh, ow, (at) => {
        // The share rounded to float32 once, as the WebAssembly kernel computes it.
        if (at >= 0) dx[at + (r * g.channels + c) * g.height * g.width] += Math.fround(dout[o] / area);
      });
    });
  },
};

/** Calls visit(output index, r, c, oh, ow) for every pooling window, in output order. */
function forEachPoolWindow(
  g: WindowGeometry,
  rows: number,
  visit: (o: number, r: number, c: number, oh: number, ow: number) => void,
): void {
  let o = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < g.channels; c++)
      for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) visit(o++, r, c, oh, ow);
}
