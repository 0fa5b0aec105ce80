import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gradcheck, relativeError } from '../../src/gradcheck/check.ts';
import { layerSubject } from '../../src/gradcheck/subjects.ts';
import { ReLU } from '../../src/layers/activations.ts';
import { tensor } from '../../src/tensor.ts';
import { contextOf } from './helpers.ts';

const s = suite('gradcheck mechanics: relative error, kinks, restoring values');

s('relative error is |a − n| / max(|a|, |n|, floor)', () => {
  assert.is(relativeError(1, 0.5, 1e-2), 0.5); // max(1, 0.5, floor) = 1
  assert.ok(Math.abs(relativeError(2e-6, 1e-6, 1e-2) - 1e-4) < 1e-12); // below the floor: absolute / floor
  assert.is(relativeError(0, 0, 1e-2), 0);
});

const relu = (alloc: Parameters<typeof contextOf>[0]) => new ReLU(3, contextOf(alloc));

s('a ReLU input exactly at the kink is skipped and counted, not passed or failed', () => {
  const [report] = gradcheck(layerSubject('relu', relu, [tensor([3], [0, 1, -1])], new Float32Array([1, 2, 3])));
  assert.is(report.skipped, 1);
  assert.is(report.maxRelativeError, 0);
});

// x = 3e-6 is within the first step (h = 1e-5) of the kink, but not within the second (1e-6).
s('an input near the kink is checked with a smaller step', () => {
  const [report] = gradcheck(layerSubject('relu', relu, [tensor([3], [3e-6, 1, -1])], new Float32Array([1, 2, 3])));
  assert.is(report.skipped, 0);
  assert.ok(report.maxRelativeError < 1e-6);
});

s('every value is restored after the check', () => {
  const x = tensor([3], [0.5, -0.25, 2]);
  const subject = layerSubject('relu', relu, [x], new Float32Array([1, 1, 1]));
  const before = Array.from(subject.tensors[0].value);
  gradcheck(subject);
  assert.equal(Array.from(subject.tensors[0].value), before);
  assert.equal(Array.from(x.data), [0.5, -0.25, 2]);
});

s.run();
