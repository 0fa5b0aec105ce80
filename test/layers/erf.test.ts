import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { erf, erfc, normalCdf, normalPdf } from '../../src/layers/erf.ts';

const s = suite('erf, erfc and Φ against the C library');

// [z, erf(z), erfc(z)] from Python's math.erf / math.erfc (the platform's C library), printed with repr.
const REFERENCE: Array<[number, number, number]> = [
  [0.1, 0.1124629160182849, 0.8875370839817152],
  [0.5, 0.5204998778130465, 0.4795001221869535],
  [1.0, 0.8427007929497149, 0.15729920705028513],
  [1.5, 0.9661051464753108, 0.033894853524689274],
  [1.99, 0.995111413199617, 0.004888586800383003],
  [2.0, 0.9953222650189527, 0.004677734981047265],
  [2.01, 0.9955248493552482, 0.004475150644751763],
  [3.0, 0.9999779095030014, 2.2090496998585438e-5],
  [4.5, 0.9999999998033839, 1.9661604415428873e-10],
  [5.9, 0.9999999999999999, 7.190409783550478e-17],
  [6.5, 1.0, 3.8421483271206475e-20],
  [10.0, 1.0, 2.088487583762545e-45],
];

const relative = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

s('erf to 1e-14 relative, odd: erf(−z) = −erf(z); erf(0) = 0', () => {
  for (const [z, want] of REFERENCE) {
    assert.ok(relative(erf(z), want) < 1e-14, `erf(${z}) = ${erf(z)}, want ${want}`);
    assert.is(erf(-z), -erf(z));
  }
  assert.is(erf(0), 0);
});

// Below z = 2 erfc is 1 − erf, which keeps ~1e-12 of erfc(2) ≈ 5e-3; beyond, erfc is computed directly.
s('erfc to 2e-12 relative up to z = 2 and 1e-13 beyond (down to 1e-45); erfc(−z) = 2 − erfc(z)', () => {
  for (const [z, , want] of REFERENCE) {
    const tolerance = z <= 2 ? 2e-12 : 1e-13;
    assert.ok(relative(erfc(z), want) < tolerance, `erfc(${z}) = ${erfc(z)}, want ${want}`);
    assert.is(erfc(-z), 2 - erfc(z));
  }
  assert.is(erfc(0), 1);
  assert.is(erfc(40), 0);
});

// Φ(x) = ½·erfc(−x/√2), from Python: Φ(−10) = 7.619853024160593e-24, Φ(−5) = 2.866515718791946e-07,
// Φ(−1) = 0.15865525393145707, Φ(1) = 0.8413447460685429, Φ(3) = 0.9986501019683699.
s('Φ keeps its relative precision deep in the left tail, where 1 + erf would cancel to 0', () => {
  const cases: Array<[number, number]> = [
    [-10, 7.619853024160593e-24],
    [-5, 2.866515718791946e-7],
    [-1, 0.15865525393145707],
    [0, 0.5],
    [1, 0.8413447460685429],
    [3, 0.9986501019683699],
  ];
  for (const [x, want] of cases) assert.ok(relative(normalCdf(x), want) < 1e-13, `Φ(${x}) = ${normalCdf(x)}`);
  // φ(1) = e^{−1/2}/√(2π) = 0.24197072451914337.
  assert.ok(relative(normalPdf(1), 0.24197072451914337) < 1e-15);
});

s('NaN in, NaN out', () => {
  assert.ok(Number.isNaN(erf(NaN)));
  assert.ok(Number.isNaN(erfc(NaN)));
});

s.run();
