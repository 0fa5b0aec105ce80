import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { windowGeometry, type Pair } from '../../src/kernels/window.ts';
import { Conv2d } from '../../src/layers/conv2d.ts';
import { param } from '../../src/layers/layer.ts';
import { createRng } from '../../src/random.ts';
import { heapAllocator, tensor } from '../../src/tensor.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('Conv2d layer, by hand and against a direct convolution');

function conv(
  image: number[],
  filters: number,
  kernel: Pair,
  stride: Pair,
  padding: Pair,
  inputGradient = true,
  groupFloats?: number,
) {
  const g = windowGeometry(image, kernel, stride, padding)!;
  const weight = param('weight', [filters, image[0], ...kernel], heapAllocator);
  const bias = param('bias', [filters], heapAllocator);
  return new Conv2d(g, filters, weight, bias, 5, context, inputGradient, groupFloats);
}

// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], W = [[1, 2], [3, 4]], b = 0.5:
//   y00 = 1·1 + 2·2 + 4·3 + 5·4 = 37, y01 = 2 + 6 + 15 + 24 = 47,
//   y10 = 4 + 10 + 21 + 32 = 67,     y11 = 5 + 12 + 24 + 36 = 77
const x3 = () => t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
function twoByTwo(inputGradient = true) {
  const layer = conv([1, 3, 3], 1, [2, 2], [1, 1], [0, 0], inputGradient);
  layer.weight.value.set([1, 2, 3, 4]);
  layer.bias.value.set([0.5]);
  return layer;
}

s('forward: each window · W + b, as images [rows, filters, outH, outW]', () => {
  const y = twoByTwo().forward(x3());
  assert.equal(y.shape, [1, 1, 2, 2]);
  close(y.data, [37.5, 47.5, 67.5, 77.5]);
});

// dout = [[1, 0], [0, 2]]:
//   dW[i, j] = 1·x[i, j] + 2·x[1 + i, 1 + j] = [1 + 10, 2 + 12, 4 + 16, 5 + 18] = [11, 14, 20, 23]; db = 3
//   dx = 1·W placed at (0, 0) + 2·W placed at (1, 1) = [[1, 2, 0], [3, 4 + 2, 4], [0, 6, 8]]
s('backward: dW = Σ dout · window, db = Σ dout, dx = dout scattered through W', () => {
  const layer = twoByTwo();
  layer.forward(x3());
  const [dx] = backwardKeepsDout((d) => layer.backward(d), t([1, 1, 2, 2], [1, 0, 0, 2]));
  close(layer.weight.grad, [11, 14, 20, 23]);
  close(layer.bias.grad, [3]);
  assert.equal(dx.shape, [1, 1, 3, 3]);
  close(dx.data, [1, 2, 0, 3, 6, 4, 0, 6, 8]);
});

s('the first layer skips dx but still writes dW and db', () => {
  const layer = twoByTwo(false);
  layer.forward(x3());
  assert.equal(layer.backward(t([1, 1, 2, 2], [1, 0, 0, 2])), []);
  close(layer.weight.grad, [11, 14, 20, 23]);
});

// A 3×3 window of ones, padding 1, stride 2 on the same x: the windows cover rows/columns
// {−1, 0, 1} and {1, 2, 3}, so each sums a 2×2 corner: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
s('padding counts as zeros and stride 2 skips every other position', () => {
  const layer = conv([1, 3, 3], 1, [3, 3], [2, 2], [1, 1]);
  layer.weight.value.fill(1);
  close(layer.forward(x3()).data, [12, 16, 24, 28]);
});

/** The textbook definition, loop by loop: the independent oracle of the im2col route. */
function direct(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  rows: number,
  image: number[],
  filters: number,
  [kh, kw]: Pair,
  [sh, sw]: Pair,
  [ph, pw]: Pair,
) {
  const [c, h, wd] = image;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1,
    ow = Math.floor((wd + 2 * pw - kw) / sw) + 1;
  const y: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let f = 0; f < filters; f++)
      for (let a = 0; a < oh; a++)
        for (let o = 0; o < ow; o++) {
          let sum = b[f];
          for (let ch = 0; ch < c; ch++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const yy = a * sh - ph + i,
                  xx = o * sw - pw + j;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                sum += x[((r * c + ch) * h + yy) * wd + xx] * w[((f * c + ch) * kh + i) * kw + j];
              }
          y.push(sum);
        }
  return y;
}

const ODD: [number[], number, Pair, Pair, Pair][] = [
  [[1, 6, 5], 2, [3, 3], [1, 1], [0, 0]],
  [[3, 7, 6], 4, [3, 2], [2, 2], [1, 1]],
  [[3, 5, 8], 1, [1, 4], [2, 3], [0, 2]],
  [[2, 4, 4], 3, [5, 5], [1, 1], [2, 2]],
];
for (const [image, filters, kernel, stride, padding] of ODD) {
  s(
    `forward = the direct convolution: ${image.join('×')}, ${filters} filters ${kernel.join('×')}, ` +
      `stride ${stride}, padding ${padding}`,
    () => {
      const rng = createRng(filters, ...image);
      const layer = conv(image, filters, kernel, stride, padding);
      for (const p of layer.params) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal();
      const size = image.reduce((a, b) => a * b, 1);
      const x = tensor(
        [3, ...image],
        Float32Array.from({ length: 3 * size }, () => rng.normal()),
      );
      const y = layer.forward(x);
      const want = direct(x.data, layer.weight.value, layer.bias.value, 3, image, filters, kernel, stride, padding);
      close(y.data, want, 1e-5);
    },
  );
}

s('run in groups of samples, the outputs are the same bits and the gradients agree to rounding', () => {
  const rng = createRng(77);
  const x = tensor(
    [5, 3, 6, 5],
    Float32Array.from({ length: 5 * 90 }, () => rng.normal()),
  );
  const dout = tensor(
    [5, 4, 4, 3],
    Float32Array.from({ length: 5 * 48 }, () => rng.normal()),
  );
  const values = Float32Array.from({ length: 4 * 3 * 3 * 2 + 4 }, () => rng.normal());
  const run = (groupFloats: number) => {
    const layer = conv([3, 6, 5], 4, [3, 2], [2, 2], [1, 1], true, groupFloats);
    layer.weight.value.set(values.subarray(0, 72));
    layer.bias.value.set(values.subarray(72));
    const y = Array.from(layer.forward(x).data);
    const dx = Array.from(layer.backward(dout)[0].data);
    return { layer, y, dx, dw: Array.from(layer.weight.grad), db: Array.from(layer.bias.grad) };
  };
  const whole = run(1e9);
  for (const groupFloats of [1, 2 * (18 + 4) * 12]) {
    const grouped = run(groupFloats);
    assert.is(grouped.layer.groupRows, groupFloats === 1 ? 1 : 2);
    assert.equal(grouped.y, whole.y);
    assert.equal(grouped.dx, whole.dx); // each sample's dx comes from its own group alone
    close(grouped.dw, whole.dw, 1e-5);
    close(grouped.db, whole.db, 1e-5);
  }
  assert.is(whole.layer.groupRows, 5);
});

s.run();
