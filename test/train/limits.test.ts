import { availableParallelism } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train } from '../../src/index.ts';
import { planModel } from '../../src/model/plan.ts';
import { measureScratchFloats } from '../../src/train/thread-model.ts';
import { spiralConfig, userErrorOf } from './helpers.ts';

/** Limits of the machine met as a user would: messages, not stack traces. */
const s = suite('limits');

s('an activation larger than a typed array is named (was: RangeError: Invalid typed array length)', () => {
  const plan = planModel({ layers: [{ type: 'affine', units: 1 << 20, init: 'he', std: 0.01 }], loss: 'mse' }, 8);
  const error = userErrorOf(() => measureScratchFloats(plan, 8192));
  assert.match(error.message, /one thread's activations need more than .* GiB for chunks of 8192 rows/);
  assert.match(error.message, '→ at model.layers');
});

s('parameters larger than a typed array are named as parameters (was: activations need more than 0.0 GiB)', () => {
  // [1, 12, 10] padded by 60000 → conv2d 64 filters of 3×3 → [64, 120010, 120008] → affine 10.
  const conv = {
    type: 'conv2d' as const,
    filters: 64,
    kernel: 3,
    padding: 60000,
    stride: 1,
    init: 'he' as const,
    std: 0.01,
  };
  const plan = planModel(
    { layers: [conv, { type: 'affine', units: 10, init: 'he', std: 0.01 }], loss: 'mse' },
    [1, 12, 10],
  );
  const parameters = 64 * 9 + 64 + 64 * 120010 * 120008 * 10 + 10;
  assert.is(plan.paramCount, parameters);
  const error = userErrorOf(() => measureScratchFloats(plan, 17));
  assert.match(error.message, `the model has ${parameters} parameters, 34337.4 GiB as float32`);
  assert.match(error.message, '→ at model.layers');
});

s('more threads than cores: a warning that names both (the weights do not change)', async () => {
  const threads = availableParallelism() + 1;
  const warnings: string[] = [];
  await train(spiralConfig({ workers: threads, epochs: 1 }), { write: false, onWarning: (w) => warnings.push(w) });
  assert.ok(
    warnings.some((w) => w.startsWith(`${threads} threads on ${availableParallelism()} cores`)),
    warnings.join('\n'),
  );
});

s.run();
