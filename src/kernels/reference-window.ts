import type { Kernels } from './types.ts';
import { imageSize, patchSize, positions, type WindowGeometry } from './window.ts';

/**
 * The plain TypeScript convolution and pooling kernels: the reference the WebAssembly ones are
 * tested against. Every kernel walks the windows in one order — sample, channel (pooling) or
 * position (im2col), window row, window column — and the WebAssembly kernels keep that order
 * wherever values are added, so sums round the same way.
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

export const windowReferenceKernels: Pick<
  Kernels,
  'im2col' | 'col2im' | 'channelsFirst' | 'channelsLast' | 'maxPool' | 'maxPoolBackward' | 'avgPool' | 'avgPoolBackward'
> = {
  im2col(x, col, rows, g) {
    const k = patchSize(g);
    for (let r = 0; r < rows; r++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          const row = ((r * g.outH + oh) * g.outW + ow) * k;
          eachWindowValue(g, r, oh, ow, (at, q) => (col[row + q] = at < 0 ? 0 : x[at]));
        }
      }
    }
  },

  col2im(col, dx, rows, g) {
    const k = patchSize(g);
    dx.fill(0, 0, rows * imageSize(g));
    for (let r = 0; r < rows; r++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          const row = ((r * g.outH + oh) * g.outW + ow) * k;
          eachWindowValue(g, r, oh, ow, (at, q) => {
            if (at >= 0) dx[at] += col[row + q];
          });
        }
      }
    }
  },

  channelsFirst(a, bias, out, rows, count, channels) {
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < channels; f++) {
        for (let p = 0; p < count; p++)
          out[(r * channels + f) * count + p] = a[(r * count + p) * channels + f] + bias[f];
      }
    }
  },

  channelsLast(a, out, rows, channels, count) {
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < channels; f++) {
        for (let p = 0; p < count; p++) out[(r * count + p) * channels + f] = a[(r * channels + f) * count + p];
      }
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
