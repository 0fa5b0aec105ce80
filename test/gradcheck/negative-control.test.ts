import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gradcheck } from '../../src/gradcheck/check.ts';
import { layerSubject } from '../../src/gradcheck/subjects.ts';
import { ReLU, Sigmoid } from '../../src/layers/activations.ts';
import { Affine } from '../../src/layers/affine.ts';
import { BatchNorm } from '../../src/layers/batch-norm.ts';
import { Dropout } from '../../src/layers/dropout.ts';
import { normalCdf } from '../../src/layers/erf.ts';
import { Gelu } from '../../src/layers/gelu.ts';
import { param, type ForwardMode, type Layer } from '../../src/layers/layer.ts';
import { LayerNorm } from '../../src/layers/layer-norm.ts';
import { SoftmaxCrossEntropy } from '../../src/layers/losses.ts';
import { Scale } from '../../src/layers/scale-bias.ts';
import { lossSubject } from '../../src/gradcheck/subjects.ts';
import { createRng } from '../../src/random.ts';
import type { Allocator, Tensor } from '../../src/tensor.ts';
import { TOLERANCE, contextOf, randomTensor, worst } from './helpers.ts';

/**
 * A check that cannot fail proves nothing: each layer here has a deliberately wrong backward, and
 * the same check that passes the real layers must reject it.
 */
const s = suite('gradcheck negative controls: a wrong backward FAILS');

const x = randomTensor([3, 4], 21);
const dout = randomTensor([3, 4], 22).data;

/** ReLU whose backward drops the dout factor: it returns the mask alone. */
class MaskOnlyReLU extends ReLU {
  override backward(d: Tensor): Tensor[] {
    const [dx] = super.backward(d);
    for (let i = 0; i < dx.data.length; i++) dx.data[i] = dx.data[i] === 0 ? 0 : 1;
    return [dx];
  }
}

/** Affine that writes dW transposed (a square layer, so the shapes still agree). */
class TransposedAffine extends Affine {
  override backward(d: Tensor): Tensor[] {
    const result = super.backward(d);
    const g = this.weight.grad;
    const n = this.units;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) [g[i * n + j], g[j * n + i]] = [g[j * n + i], g[i * n + j]];
    return result;
  }
}

/** Sigmoid whose derivative is y instead of y·(1 − y). */
class WrongSigmoid extends Sigmoid {
  protected override derive(y: Float32Array, d: Float32Array, dx: Float32Array, len: number) {
    for (let i = 0; i < len; i++) dx[i] = d[i] * y[i];
  }
}

/** Scale whose dx forgets the scale (dx = dout): right only where every scale is 1. */
class ForgetfulScale extends Scale {
  override backward(d: Tensor): Tensor[] {
    const [dx] = super.backward(d);
    dx.data.set(d.data.subarray(0, dx.data.length));
    return [dx];
  }
}

function seededParams<T extends Layer>(build: (alloc: Allocator) => T, fill: (i: number, rng: () => number) => number) {
  return (alloc: Allocator) => {
    const layer = build(alloc);
    const rng = createRng(5);
    for (const p of layer.params) for (let i = 0; i < p.value.length; i++) p.value[i] = fill(i, () => rng.normal());
    return layer;
  };
}

s('a ReLU whose backward drops the dout factor fails; the real ReLU passes', () => {
  const bad = worst(gradcheck(layerSubject('relu', (alloc) => new MaskOnlyReLU(12, contextOf(alloc)), [x], dout)));
  const good = worst(gradcheck(layerSubject('relu', (alloc) => new ReLU(12, contextOf(alloc)), [x], dout)));
  assert.ok(bad > TOLERANCE, `wrong ReLU passed: ${bad}`);
  assert.ok(good < TOLERANCE, `right ReLU failed: ${good}`);
});

s('an Affine with a transposed dW fails on the weight only', () => {
  const build = seededParams(
    (alloc) =>
      new TransposedAffine(4, 4, param('weight', [4, 4], alloc), param('bias', [4], alloc), 3, contextOf(alloc)),
    (_, r) => r(),
  );
  const reports = gradcheck(layerSubject('affine', build, [x], dout));
  const byName = Object.fromEntries(reports.map((r) => [r.name, r.maxRelativeError]));
  assert.ok(byName['affine.weight'] > TOLERANCE, `transposed dW passed: ${byName['affine.weight']}`);
  assert.ok(byName['affine.bias'] < TOLERANCE);
  assert.ok(byName['affine.in0'] < TOLERANCE);
});

s('a Sigmoid with derivative y instead of y·(1 − y) fails', () => {
  assert.ok(
    worst(gradcheck(layerSubject('sigmoid', (alloc) => new WrongSigmoid(12, contextOf(alloc)), [x], dout))) > TOLERANCE,
  );
});

s('a Scale whose dx forgets the scale passes at scale 1 but fails at a generic point', () => {
  const build = (value: number | null) =>
    seededParams(
      (alloc) => new ForgetfulScale(4, param('scale', [4], alloc), 3, contextOf(alloc)),
      (_, r) => value ?? r(),
    );
  assert.ok(
    worst(gradcheck(layerSubject('scale', build(1), [x], dout))) < TOLERANCE,
    'expected the blind spot at scale 1',
  );
  assert.ok(worst(gradcheck(layerSubject('scale', build(null), [x], dout))) > TOLERANCE);
});

/** GELU whose derivative forgets the x·φ(x) term: dx = dout·Φ(x). */
class HalfGelu extends Gelu {
  protected override derive(x: Float32Array, d: Float32Array, dx: Float32Array, len: number) {
    for (let i = 0; i < len; i++) dx[i] = d[i] * normalCdf(x[i]);
  }
}

/** A normalization whose dx treats the statistics as constants: dx = dout·γ/σ (right only in evaluation). */
function constantStatistics<T extends Layer & { gamma: { value: Float32Array } }>(layer: T, inverse: () => number[]) {
  const backward = layer.backward.bind(layer);
  layer.backward = (d: Tensor) => {
    const [dx] = backward(d);
    const features = layer.gamma.value.length;
    const inv = inverse();
    for (let i = 0; i < dx.data.length; i++) {
      const j = i % features;
      dx.data[i] = d.data[i] * layer.gamma.value[j] * inv[inv.length === features ? j : Math.floor(i / features)];
    }
    return [dx];
  };
  return layer;
}

const training: ForwardMode = { pass: { seed: 1, step: 0, samples: Uint32Array.of(0, 1, 2), first: 0 } };

s('a BatchNorm whose dx ignores the batch statistics fails on the input in training mode', () => {
  const build = (wrong: boolean) =>
    seededParams(
      (alloc) => {
        const running = { mean: new Float32Array(4), variance: new Float32Array(4).fill(1) };
        const layer = new BatchNorm(
          4,
          param('gamma', [4], alloc),
          param('beta', [4], alloc),
          running,
          {
            momentum: 0.9,
            epsilon: 1e-5,
          },
          3,
          contextOf(alloc),
          training,
        );
        if (!wrong) return layer;
        return constantStatistics(layer, () => {
          // 1/σ of the batch, as the layer computed it in its forward.
          const inv = [];
          for (let j = 0; j < 4; j++) {
            const column = [0, 1, 2].map((i) => x.data[i * 4 + j]);
            const mean = column.reduce((a, b) => a + b, 0) / 3;
            inv.push(1 / Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / 3 + 1e-5));
          }
          return inv;
        });
      },
      (_, r) => r(),
    );
  const reports = gradcheck(layerSubject('bn', build(true), [x], dout));
  const byName = Object.fromEntries(reports.map((r) => [r.name, r.maxRelativeError]));
  assert.ok(byName['bn.in0'] > TOLERANCE, `constant-statistics dx passed: ${byName['bn.in0']}`);
  assert.ok(byName['bn.gamma'] < TOLERANCE && byName['bn.beta'] < TOLERANCE);
  assert.ok(worst(gradcheck(layerSubject('bn', build(false), [x], dout))) < TOLERANCE);
});

s('a LayerNorm whose dx ignores the row statistics fails', () => {
  const build = seededParams(
    (alloc) =>
      constantStatistics(
        new LayerNorm(4, param('gamma', [4], alloc), param('beta', [4], alloc), 1e-5, 3, contextOf(alloc)),
        () =>
          [0, 1, 2].map((i) => {
            const row = Array.from(x.data.subarray(4 * i, 4 * i + 4));
            const mean = row.reduce((a, b) => a + b, 0) / 4;
            return 1 / Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4 + 1e-5);
          }),
      ),
    (_, r) => r(),
  );
  assert.ok(worst(gradcheck(layerSubject('ln', build, [x], dout))) > TOLERANCE);
});

s('a GELU whose derivative drops the x·φ(x) term fails', () => {
  assert.ok(
    worst(gradcheck(layerSubject('gelu', (alloc) => new HalfGelu(12, contextOf(alloc)), [x], dout))) > TOLERANCE,
  );
});

s('a Dropout whose backward ignores the mask fails; the real one passes', () => {
  class Leaky extends Dropout {
    override backward(d: Tensor): Tensor[] {
      const [dx] = super.backward(d);
      dx.data.set(d.data.subarray(0, dx.data.length));
      return [dx];
    }
  }
  const bad = (alloc: Allocator) => new Leaky(4, 0.5, 0, 3, contextOf(alloc), training);
  const good = (alloc: Allocator) => new Dropout(4, 0.5, 0, 3, contextOf(alloc), training);
  assert.ok(worst(gradcheck(layerSubject('dropout', bad, [x], dout))) > TOLERANCE);
  assert.ok(worst(gradcheck(layerSubject('dropout', good, [x], dout))) < TOLERANCE);
});

s('class weights in the loss but not in its gradient fail', () => {
  const weights = Float32Array.of(0.5, 2, 1, 3);
  const logits = randomTensor([3, 4], 23);
  const targets = new Float32Array([0, 3, 1]);
  const unweightedGradient = (alloc: Allocator) => {
    const weightedLoss = new SoftmaxCrossEntropy(12, contextOf(alloc));
    const plain = new SoftmaxCrossEntropy(12, contextOf(alloc));
    return {
      forward: (o: Tensor, t: Float32Array | Tensor) => (plain.forward(o, t), weightedLoss.forward(o, t, weights)),
      backward: () => plain.backward(),
    };
  };
  assert.ok(worst(gradcheck(lossSubject('logits', unweightedGradient, logits, targets))) > TOLERANCE);
});

s('a coarse step fails the check too (the numerical side is what is wrong then)', () => {
  const subject = layerSubject('sigmoid', (alloc) => new Sigmoid(12, contextOf(alloc)), [x], dout);
  assert.ok(worst(gradcheck(subject, { relativeStep: 1 })) > TOLERANCE);
  assert.ok(worst(gradcheck(subject)) < TOLERANCE);
});

s.run();
