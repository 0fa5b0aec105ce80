import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import type { Dataset } from '../../src/data/types.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { userErrorOf } from './helpers.ts';

const s = suite('synthetic source');
const load = (input: object, seed = 1): Promise<Dataset> =>
  loadDataset(dataConfigSchema.parse({ source: 'synthetic', ...input }), seed);

/** Rows per class over train and test together. */
function classSizes(data: Dataset): number[] {
  const sizes = new Array<number>(data.classes).fill(0);
  for (const split of [data.train, data.test]) for (const label of split?.targets ?? []) sizes[label]++;
  return sizes;
}

/** Every row of both splits as [x, y, label]. */
function points(data: Dataset): number[][] {
  return [data.train, data.test].flatMap((split) =>
    split
      ? Array.from({ length: split.count }, (_, i) => [
          floatInputs(split.inputs)[2 * i],
          floatInputs(split.inputs)[2 * i + 1],
          split.targets[i],
        ])
      : [],
  );
}

s('holds out testFraction 0.2 of n = 1000: 800 train, 200 test, 2 features', async () => {
  const data = await load({ kind: 'xor' });
  assert.is(data.features, 2);
  assert.is(data.train.count, 800);
  assert.is(data.test?.count, 200);
});

for (const kind of ['xor', 'spiral', 'moons']) {
  s(`${kind}: the same seed gives the same data, another seed other data`, async () => {
    assert.equal(await load({ kind }, 9), await load({ kind }, 9));
    assert.not.equal(
      floatInputs((await load({ kind }, 9)).train.inputs),
      floatInputs((await load({ kind }, 10)).train.inputs),
    );
  });
}

s('a seed in the config overrides the run seed', async () => {
  assert.equal(await load({ kind: 'moons', seed: 42 }, 1), await load({ kind: 'moons', seed: 42 }, 2));
});

s('xor: balanced labels, 500 and 500 of 1000', async () => {
  assert.equal(classSizes(await load({ kind: 'xor' })), [500, 500]);
});

s('xor without noise: points on the corners, label 1 where the signs differ', async () => {
  for (const [x, y, label] of points(await load({ kind: 'xor', n: 8, noise: 0, testFraction: 0.25 }))) {
    assert.is(Math.abs(x), 1);
    assert.is(Math.abs(y), 1);
    assert.is(label, x === y ? 0 : 1);
  }
});

s('spiral: 301 points over 3 arms give 101, 100, 100', async () => {
  assert.equal(classSizes(await load({ kind: 'spiral', n: 301 })), [101, 100, 100]);
});

s('spiral: 5 classes when asked', async () => {
  const data = await load({ kind: 'spiral', classes: 5, n: 500 });
  assert.is(data.classes, 5);
  assert.equal(classSizes(data), [100, 100, 100, 100, 100]);
});

s('spiral without noise: arms run from radius 0 to radius 1', async () => {
  const radii = points(await load({ kind: 'spiral', n: 30, noise: 0, testFraction: 0 })).map(([x, y]) =>
    Math.hypot(x, y),
  );
  assert.is(Math.min(...radii), 0);
  assert.ok(Math.abs(Math.max(...radii) - 1) < 1e-6);
});

s('moons: 1001 points give 500 outer and 501 inner', async () => {
  assert.equal(classSizes(await load({ kind: 'moons', n: 1001 })), [500, 501]);
});

s('moons without noise: outer on the unit circle, inner on the circle about (1, 0.5)', async () => {
  for (const [x, y, label] of points(await load({ kind: 'moons', n: 40, noise: 0 }))) {
    const radius = label === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5);
    assert.ok(Math.abs(radius - 1) < 1e-6, `(${x}, ${y}) label ${label}`);
    assert.ok(label === 0 ? y >= 0 : y <= 0.5 + 1e-7);
  }
});

s('gives no test split for testFraction 0', async () => {
  assert.is((await load({ kind: 'xor', testFraction: 0 })).test, null);
});

s('rejects a testFraction that rounds to no test rows', async () => {
  assert.match(
    await userErrorOf(() => load({ kind: 'xor', n: 2 })),
    'testFraction 0.2 of 2 rows in synthetic xor leaves no test rows',
  );
});

s('refuses an n too big for the shared arena before generating a point', async () => {
  // 10^9 points of 2 features: (800M × 4 + 200M × 3) × 4 bytes = 14.2 GiB.
  const message = await userErrorOf(() => load({ kind: 'xor', n: 1e9 }));
  assert.match(message, 'data synthetic xor: 800000000 training + 200000000 test rows of 2 features need 14.2 GiB');
  assert.match(message, 'set data.n to at most 268435456\n  → at data.n');
});

s.run();
