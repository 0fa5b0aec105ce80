import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gradcheck } from '../../src/gradcheck/check.ts';
import { layerSubject } from '../../src/gradcheck/subjects.ts';
import { ReLU, Sigmoid } from '../../src/layers/activations.ts';
import { Affine } from '../../src/layers/affine.ts';
import { param, type Layer } from '../../src/layers/layer.ts';
import { Scale } from '../../src/layers/scale-bias.ts';
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

s('a coarse step fails the check too (the numerical side is what is wrong then)', () => {
  const subject = layerSubject('sigmoid', (alloc) => new Sigmoid(12, contextOf(alloc)), [x], dout);
  assert.ok(worst(gradcheck(subject, { relativeStep: 1 })) > TOLERANCE);
  assert.ok(worst(gradcheck(subject)) < TOLERANCE);
});

s.run();
