import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { planConcurrency, stepFlops } from '../../src/sweep/plan.ts';
import { formatRanking, rankPoints, shortLabels } from '../../src/sweep/rank.ts';
import type { TrialResult } from '../../src/sweep/results.ts';

const s = suite('ranking, the table, and the concurrency plan');

let index = 0;
function result(point: Record<string, unknown>, value: number | null, error: string | null = null): TrialResult {
  const i = index++;
  return {
    id: `t${i}`,
    index: i,
    point,
    repeat: 0,
    seed: 1,
    status: error ? 'failed' : 'done',
    value,
    final: null,
    summary: null,
    weightsSha256: null,
    error,
    failure: error ? 'error' : null,
    worker: null,
    dir: `trials/t${i}`,
  };
}

s('points ranked by the mean over their repeats; mean and sample sd as computed by hand', () => {
  index = 0;
  const results = [
    result({ lr: 0.1 }, 0.8),
    result({ lr: 0.1 }, 0.84),
    result({ lr: 0.3 }, 0.95),
    result({ lr: 0.3 }, 0.75),
    result({ lr: 0.3 }, 0.85),
    result({ lr: 1 }, 0.86),
  ];
  const max = rankPoints(results, { metric: 'testAccuracy', direction: 'max' });
  assert.equal(
    max.map((p) => [p.rank, p.point.lr]),
    [
      [1, 1],
      [2, 0.3],
      [3, 0.1],
    ],
  );
  // lr 0.3: mean (0.95 + 0.75 + 0.85) / 3 = 0.85; sd √((0.01 + 0.01 + 0) / 2) = 0.1
  assert.ok(Math.abs(max[1].mean! - 0.85) < 1e-12);
  assert.ok(Math.abs(max[1].std! - 0.1) < 1e-12);
  assert.is(max[0].std, null, 'one value: no spread');
  const min = rankPoints(results, { metric: 'testLoss', direction: 'min' });
  assert.equal(
    min.map((p) => p.point.lr),
    [0.1, 0.3, 1],
  );
});

s('failed trials: a point with no value comes last, unranked; a partly failed point counts its values', () => {
  index = 0;
  const results = [
    result({ lr: 9 }, null, 'training diverged at epoch 1'),
    result({ lr: 0.1 }, 0.5),
    result({ lr: 0.2 }, 0.7),
    result({ lr: 0.2 }, null, 'the trial-runner process was killed by SIGKILL'),
  ];
  const points = rankPoints(results, { metric: 'testAccuracy', direction: 'max' });
  assert.equal(
    points.map((p) => [p.rank, p.point.lr, p.values, p.failed]),
    [
      [1, 0.2, 1, 1],
      [2, 0.1, 1, 0],
      [null, 9, 0, 1],
    ],
  );
  const table = formatRanking(points, { metric: 'testAccuracy', direction: 'max' }, 2).split('\n');
  assert.equal(table, [
    'rank  lr   testAccuracy (max)       trials',
    '   1  0.2  0.7000 (n=1) (1 failed)  t2 t3',
    '   2  0.1  0.5000 (n=1)             t1',
    '   -  9    failed                   t0',
    'failed trials:',
    '  t3: the trial-runner process was killed by SIGKILL',
    '  t0: training diverged at epoch 1',
  ]);
});

s('ties keep the sweep order', () => {
  index = 0;
  const points = rankPoints([result({ a: 1 }, 0.5), result({ a: 2 }, 0.5)], { metric: 'loss', direction: 'min' });
  assert.equal(
    points.map((p) => p.point.a),
    [1, 2],
  );
});

s('columns are named by the last key of each path, or as many as tell them apart', () => {
  assert.equal(shortLabels(['train.optimizer.learningRate', 'model.layers.0.units']), ['learningRate', 'units']);
  assert.equal(shortLabels(['model.layers.0.units', 'model.layers.2.units']), ['0.units', '2.units']);
  assert.equal(shortLabels(['seed', 'data.seed']), ['seed', 'data.seed']);
});

s('plan: small trials run side by side, one thread each; a large trial alone on every core', () => {
  const small = parseConfig({
    data: { source: 'mnist', train: 100, test: 0 },
    model: { layers: [{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 10 }] },
    train: { batchSize: 100 },
  });
  // 3 products × 2·in·out per affine per row: 6·(784·50 + 50·10)·100 = 23,820,000
  assert.is(stepFlops(small), 23_820_000);
  const large = parseConfig({
    ...small,
    model: { layers: [{ type: 'affine', units: 512 }, { type: 'relu' }, { type: 'affine', units: 512 }] },
    train: { batchSize: 256 },
  });
  assert.is(stepFlops(large), 6 * (784 * 512 + 512 * 512) * 256);
  assert.equal(pick(planConcurrency(8, 20, small)), [8, 1]);
  assert.equal(pick(planConcurrency(8, 3, small)), [3, 2], 'fewer trials than cores: the cores shared out');
  assert.equal(pick(planConcurrency(8, 20, large)), [1, 8]);
  assert.equal(pick(planConcurrency(8, 1, small)), [1, 8], 'one trial: every core');
  assert.equal(pick(planConcurrency(8, 20, large, 4)), [4, 2], '--concurrent wins');
  assert.equal(pick(planConcurrency(2, 20, small, 5)), [5, 1], 'never fewer than one thread');
  assert.equal(pick(planConcurrency(8, 2, small, 5)), [2, 4], 'no more slots than trials');
});

const pick = (plan: { concurrent: number; workers: number }) => [plan.concurrent, plan.workers];

s.run();
