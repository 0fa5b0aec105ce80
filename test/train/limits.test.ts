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
