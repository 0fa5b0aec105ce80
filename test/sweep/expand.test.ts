import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import type { Rng } from '../../src/random.ts';
import { parseSweep } from '../../src/sweep/load.ts';
import { draw, expandSpace, randomPoints } from '../../src/sweep/space.ts';
import { trialId } from '../../src/sweep/trial-id.ts';
import { tinyBase } from './helpers.ts';

const s = suite('trial expansion: grid, random, list, repeats; stable ids');

const values = (points: ReturnType<typeof expandSpace>) =>
  points.map((p) => Object.fromEntries(p.map((a) => [a.path, a.value])));

/** An Rng whose next() returns the given numbers in turn. */
function fixedRng(...draws: number[]): Rng {
  return { next: () => draws.shift()!, normal: () => NaN, int: () => NaN };
}

s('grid: every combination, the first key varying slowest', () => {
  const points = expandSpace({ grid: { a: [1, 2], b: ['x', 'y', 'z'] } });
  assert.equal(values(points), [
    { a: 1, b: 'x' },
    { a: 1, b: 'y' },
    { a: 1, b: 'z' },
    { a: 2, b: 'x' },
    { a: 2, b: 'y' },
    { a: 2, b: 'z' },
  ]);
  assert.equal(
    points[4].map((a) => a.origin),
    [
      ['grid', 'a', 1],
      ['grid', 'b', 1],
    ],
  );
});

s('list: the points as written; grid × list is their product, grid slowest', () => {
  const points = expandSpace({ grid: { a: [1, 2] }, list: [{ b: 1, c: 2 }, { b: 3 }] });
  assert.equal(values(points), [
    { a: 1, b: 1, c: 2 },
    { a: 1, b: 3 },
    { a: 2, b: 1, c: 2 },
    { a: 2, b: 3 },
  ]);
  assert.equal(values(expandSpace({})), [{}], 'no space: one empty point (the base config)');
});

s('random: each kind maps one uniform draw u as derived by hand', () => {
  assert.is(draw({ uniform: [2, 4] }, fixedRng(0.25)), 2.5); // 2 + 0.25·(4 − 2)
  // exp(ln 1e-3 + 0.5·(ln 1e-1 − ln 1e-3)) = 1e-2, up to rounding
  assert.ok(Math.abs((draw({ logUniform: [1e-3, 1e-1] }, fixedRng(0.5)) as number) - 1e-2) < 1e-15);
  assert.is(draw({ logUniform: [1e-3, 1e-1] }, fixedRng(0)), 1e-3);
  assert.is(draw({ int: [1, 3] }, fixedRng(0)), 1); // 1 + ⌊0·3⌋
  assert.is(draw({ int: [1, 3] }, fixedRng(0.34)), 2); // 1 + ⌊1.02⌋
  assert.is(draw({ int: [1, 3] }, fixedRng(0.999)), 3); // the upper end is included
  assert.equal(draw({ choice: ['a', { b: 1 }, 'c'] }, fixedRng(0.5)), { b: 1 }); // ⌊0.5·3⌋ = 1
});

s('random: reproducible from the seed, a larger count keeps the first points, values in range', () => {
  const params = { lr: { logUniform: [1e-4, 1] as [number, number] }, units: { int: [4, 6] as [number, number] } };
  const five = values(randomPoints({ seed: 3, count: 5, params }));
  assert.equal(values(randomPoints({ seed: 3, count: 5, params })), five);
  assert.equal(values(randomPoints({ seed: 3, count: 8, params })).slice(0, 5), five);
  assert.not.equal(values(randomPoints({ seed: 4, count: 5, params })), five);
  const many = values(randomPoints({ seed: 1, count: 300, params }));
  assert.ok(many.every((p) => (p.lr as number) >= 1e-4 && (p.lr as number) < 1));
  assert.equal([...new Set(many.map((p) => p.units))].sort(), [4, 5, 6]);
  // log-uniform: the share below 1e-2 (half the range in log terms) is near one half
  const below = many.filter((p) => (p.lr as number) < 1e-2).length / many.length;
  assert.ok(below > 0.4 && below < 0.6, `share below 1e-2: ${below}`);
});

s('repeats: each point trained with seed, seed+1, …; trials in point order', () => {
  const { trials } = parseSweep(
    { name: 'r', base: tinyBase(), grid: { 'train.epochs': [1, 2] }, repeats: 3 },
    'sweep.json',
    () => 'out',
  );
  assert.equal(
    trials.map((t) => [t.config.train.epochs, t.config.seed, t.repeat, t.index]),
    [
      [1, 7, 0, 0],
      [1, 8, 1, 1],
      [1, 9, 2, 2],
      [2, 7, 0, 3],
      [2, 8, 1, 4],
      [2, 9, 2, 5],
    ],
  );
  assert.is(new Set(trials.map((t) => t.pointKey)).size, 2, 'repeats share their point');
  assert.equal(trials[0].config.output.dir, 'out/trials/' + trials[0].id);
  assert.is(trials[0].config.name, 'r-' + trials[0].id);
});

s('the id is the SHA-256 of the canonical config, less name, output, workers and step timeout', () => {
  const config = parseConfig(tinyBase());
  const { name: _n, output: _o, parallel, ...rest } = config;
  const identity = { ...rest, parallel: { chunks: parallel.chunks, kernels: parallel.kernels } };
  // canonical JSON written independently: keys sorted at every level
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
          )
        : v;
  const expected = createHash('sha256')
    .update(JSON.stringify(sortKeys(identity)))
    .digest('hex')
    .slice(0, 12);
  assert.is(trialId(config), expected);
  assert.match(expected, /^[0-9a-f]{12}$/);
});

s('ids: the same trial always gets the same id; anything that changes the result changes it', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config edited by hand, field by field
  type Loose = Record<string, any>;
  const id = (change: (c: Loose) => void) => {
    const raw = tinyBase() as Loose;
    change(raw);
    return trialId(parseConfig(raw));
  };
  const base = id(() => {});
  assert.is(
    id(() => {}),
    base,
  );
  assert.is(
    id((c) => (c.name = 'other')),
    base,
    'name',
  );
  assert.is(
    id((c) => (c.output = { dir: 'elsewhere' })),
    base,
    'output.dir',
  );
  assert.is(
    id((c) => (c.parallel.workers = 7)),
    base,
    'workers (speed only)',
  );
  assert.is(
    id((c) => (c.parallel.stepTimeoutSeconds = 5)),
    base,
    'step timeout',
  );
  assert.is(
    id((c) => (c.parallel.inputStorage = 'bytes')),
    base,
    'input storage (speed and memory only)',
  );
  assert.is(
    id((c) => (c.train = { optimizer: c.train.optimizer, batchSize: 32, epochs: 2 })),
    base,
    'key order',
  );
  assert.is(
    id((c) => (c.data.noise = 0.1)),
    base,
    'a default written out',
  );
  assert.is.not(
    id((c) => (c.seed = 8)),
    base,
    'seed',
  );
  assert.is.not(
    id((c) => (c.train.optimizer.learningRate = 0.2)),
    base,
    'learning rate',
  );
  assert.is.not(
    id((c) => (c.parallel.chunks = 8)),
    base,
    'chunks (they decide the arithmetic)',
  );
  assert.is.not(
    id((c) => (c.parallel.kernels = 'reference')),
    base,
    'kernels',
  );
});

s('ids do not depend on the sweep: its name, its other trials, its output directory', () => {
  const one = parseSweep({ name: 'a', base: tinyBase(), grid: { seed: [7, 8] } }, 's.json', () => 'x');
  const two = parseSweep({ name: 'b', base: tinyBase(), list: [{ seed: 8 }] }, 's.json', () => 'y');
  assert.is(two.trials[0].id, one.trials[1].id);
  assert.is(one.trials[0].id, trialId(parseConfig(tinyBase())), 'seed 7 is the base config itself');
});

s.run();
