import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gradcheck } from '../../src/gradcheck/check.ts';
import { layerSubject } from '../../src/gradcheck/subjects.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { windowGeometry, type Pair, type WindowGeometry } from '../../src/kernels/window.ts';
import { Conv2d } from '../../src/layers/conv2d.ts';
import { param, type Layer } from '../../src/layers/layer.ts';
import { AvgPool, MaxPool } from '../../src/layers/pooling.ts';
import { createRng } from '../../src/random.ts';
import type { Allocator } from '../../src/tensor.ts';
import { TOLERANCE, assertPasses, randomTensor, worst } from './helpers.ts';

/**
 * Convolution and pooling against numerical gradients on odd shapes (1 and 3 channels, stride 2,
 * padding, non-square windows, overlapping pools), and the negative controls: the same check
 * rejects a deliberately wrong backward of each.
 */
const s = suite('gradcheck: conv2d, maxpool, avgpool and their negative controls');
const ROWS = 2;

type Case = [image: number[], kernel: Pair, stride: Pair, padding: Pair];
const CONV_CASES: Case[] = [
  [
    [1, 5, 5],
    [3, 3],
    [1, 1],
    [0, 0],
  ],
  [
    [3, 6, 5],
    [3, 2],
    [2, 2],
    [1, 1],
  ],
  [
    [3, 4, 7],
    [1, 4],
    [2, 3],
    [0, 2],
  ],
  [
    [1, 3, 3],
    [4, 4],
    [1, 1],
    [2, 2],
  ],
];
const POOL_CASES: Case[] = [
  [
    [1, 4, 4],
    [2, 2],
    [2, 2],
    [0, 0],
  ],
  [
    [3, 5, 7],
    [3, 2],
    [2, 1],
    [0, 0],
  ],
  [
    [3, 5, 5],
    [2, 2],
    [1, 1],
    [0, 0],
  ],
];

const at = (image: number[], kernel: Pair, stride: Pair, padding: Pair) =>
  windowGeometry(image, kernel, stride, padding)!;
const sizeOfImage = (g: WindowGeometry) => g.channels * g.height * g.width;
const outputs = (g: WindowGeometry, channels: number) => channels * g.outH * g.outW;

function convBuilder(g: WindowGeometry, filters: number, kernels: Kernels, Class: typeof Conv2d, groupFloats?: number) {
  return (alloc: Allocator): Layer => {
    const weight = param('weight', [filters, g.channels, g.kernelH, g.kernelW], alloc);
    const bias = param('bias', [filters], alloc);
    const rng = createRng(filters, g.channels);
    for (const p of [weight, bias]) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal();
    return new Class(g, filters, weight, bias, ROWS, { kernels, alloc }, true, groupFloats);
  };
}

function convSubject(
  g: WindowGeometry,
  filters: number,
  kernels = referenceKernels,
  Class = Conv2d,
  groupFloats?: number,
) {
  const x = randomTensor([ROWS, g.channels, g.height, g.width], 31);
  const dout = randomTensor([ROWS * outputs(g, filters)], 32).data;
  return layerSubject('conv', convBuilder(g, filters, kernels, Class, groupFloats), [x], dout);
}

function poolSubject(g: WindowGeometry, Pool: typeof MaxPool | typeof AvgPool, kernels = referenceKernels) {
  const x = randomTensor([ROWS, g.channels, g.height, g.width], 33);
  const dout = randomTensor([ROWS * outputs(g, g.channels)], 34).data;
  return layerSubject('pool', (alloc) => new Pool(g, ROWS, { kernels, alloc }), [x], dout);
}

for (const [image, kernel, stride, padding] of CONV_CASES) {
  s(`Conv2d ${image.join('×')} ${kernel.join('×')} stride ${stride} padding ${padding}: weight, bias, input`, () => {
    assertPasses(convSubject(at(image, kernel, stride, padding), 2));
  });
}

s('Conv2d run one sample at a time (each group adds its dW and db to the first): weight, bias, input', () => {
  const subject = convSubject(at([3, 6, 5], [3, 2], [2, 2], [1, 1]), 2, referenceKernels, Conv2d, 1);
  assertPasses(subject);
});

for (const [image, kernel, stride] of POOL_CASES) {
  for (const Pool of [MaxPool, AvgPool]) {
    s(`${Pool.name} ${image.join('×')} window ${kernel.join('×')} stride ${stride}: input`, () => {
      assertPasses(poolSubject(at(image, kernel, stride, [0, 0]), Pool));
    });
  }
}

/** Conv2d whose dW is each filter's kernel flipped (a correlation/convolution mix-up). */
class FlippedConv extends Conv2d {
  override backward(d: Parameters<Conv2d['backward']>[0]) {
    const result = super.backward(d);
    const g = this.weight.grad;
    const area = this.geometry.kernelH * this.geometry.kernelW;
    for (let start = 0; start < g.length; start += area) g.subarray(start, start + area).reverse();
    return result;
  }
}

s('a Conv2d whose dW is flipped fails on the weight only', () => {
  const reports = gradcheck(convSubject(at([3, 6, 5], [3, 2], [2, 2], [1, 1]), 2, referenceKernels, FlippedConv));
  const byName = Object.fromEntries(reports.map((r) => [r.name, r.maxRelativeError]));
  assert.ok(byName['conv.weight'] > TOLERANCE, `flipped dW passed: ${byName['conv.weight']}`);
  assert.ok(byName['conv.bias'] < TOLERANCE && byName['conv.in0'] < TOLERANCE);
});

/** A col2im that overwrites where windows overlap instead of adding (the last window wins). */
const overwritingCol2im: Kernels = {
  ...referenceKernels,
  col2im(col, dx, rows, g) {
    const sums = new Float64Array(dx.length);
    referenceKernels.col2im(col, sums as unknown as Float32Array, rows, g);
    const once = new Float64Array(col.length).fill(1);
    const counts = new Float64Array(dx.length);
    referenceKernels.col2im(once as unknown as Float32Array, counts as unknown as Float32Array, rows, g);
    referenceKernels.col2im(col, dx, rows, g);
    for (let i = 0; i < dx.length; i++) if (counts[i] > 1) dx[i] = sums[i] / counts[i];
  },
};

s('a Conv2d whose col2im averages overlapping windows instead of adding them fails on the input', () => {
  const good = worst(gradcheck(convSubject(at([1, 5, 5], [3, 3], [1, 1], [0, 0]), 2)));
  const reports = gradcheck(convSubject(at([1, 5, 5], [3, 3], [1, 1], [0, 0]), 2, overwritingCol2im));
  const byName = Object.fromEntries(reports.map((r) => [r.name, r.maxRelativeError]));
  assert.ok(good < TOLERANCE);
  assert.ok(byName['conv.in0'] > TOLERANCE, `averaging col2im passed: ${byName['conv.in0']}`);
});

/** Max-pool backward that sends each gradient to the window's top-left pixel, ignoring the argmax. */
const topLeftMaxPool: Kernels = {
  ...referenceKernels,
  maxPoolBackward(dout, argmax, dx, rows, g) {
    const corners = new Uint32Array(argmax.length);
    let o = 0;
    for (let plane = 0; plane < rows * g.channels; plane++)
      for (let a = 0; a < g.outH; a++)
        for (let b = 0; b < g.outW; b++)
          corners[o++] = plane * g.height * g.width + a * g.strideH * g.width + b * g.strideW;
    referenceKernels.maxPoolBackward(dout, corners, dx, rows, g);
  },
};

/** Average-pool backward that forgets to divide by the window's area. */
const undividedAvgPool: Kernels = {
  ...referenceKernels,
  avgPoolBackward(dout, dx, rows, g) {
    referenceKernels.avgPoolBackward(dout, dx, rows, g);
    for (let i = 0; i < rows * sizeOfImage(g); i++) dx[i] *= g.kernelH * g.kernelW;
  },
};

s('a MaxPool whose backward ignores the argmax fails', () => {
  assert.ok(worst(gradcheck(poolSubject(at([1, 4, 4], [2, 2], [2, 2], [0, 0]), MaxPool, topLeftMaxPool))) > TOLERANCE);
});

s('an AvgPool whose backward forgets the 1/area fails', () => {
  assert.ok(
    worst(gradcheck(poolSubject(at([3, 5, 7], [3, 2], [2, 1], [0, 0]), AvgPool, undividedAvgPool))) > TOLERANCE,
  );
});

s.run();
