import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildComparison, runLabels } from '../../src/report/compare-report.ts';
import { configDifferences } from '../../src/report/config-diff.ts';
import { readRunFiles } from '../../src/report/run-files.ts';
import { ariaLabels, chartHtml, CLASSIFIER_CONFIG, scratchDir, writeRun } from './helpers.ts';

const s = suite('comparison of runs (in-process)');
const root = scratchDir('compare');

s('differing fields: dotted paths, arrays by index, absent fields, output.dir ignored, in key order', () => {
  const a = { name: 'a', train: { optimizer: { type: 'sgd', learningRate: 0.1 } }, model: { layers: [{ units: 50 }] } };
  const b = { name: 'b', train: { optimizer: { type: 'sgd', learningRate: 0.3 } }, model: { layers: [{ units: 50 }] } };
  const c = {
    name: 'c',
    train: { optimizer: { type: 'adam', learningRate: 0.1, beta1: 0.9 } },
    model: { layers: [{ units: 100 }, { type: 'relu' }] },
    output: { dir: 'runs/c' },
  };
  assert.equal(configDifferences([a, b, c]), [
    { path: 'name', values: ['a', 'b', 'c'] },
    { path: 'train.optimizer.type', values: ['sgd', 'sgd', 'adam'] },
    { path: 'train.optimizer.learningRate', values: [0.1, 0.3, 0.1] },
    { path: 'model.layers.0.units', values: [50, 50, 100] },
    { path: 'train.optimizer.beta1', values: [undefined, undefined, 0.9] },
    { path: 'model.layers.1.type', values: [undefined, undefined, 'relu'] },
  ]);
});

s('identical configs (but for output.dir) differ in nothing; 1 and "1" differ; an empty object is a value', () => {
  const config = { seed: 1, data: { n: 10 } };
  assert.equal(configDifferences([config, { ...config, output: { dir: 'x' } }, structuredClone(config)]), []);
  assert.equal(configDifferences([{ seed: 1 }, { seed: '1' }]), [{ path: 'seed', values: [1, '1'] }]);
  assert.equal(configDifferences([{ extra: {} }, {}]), [{ path: 'extra', values: [{}, undefined] }]);
});

s('runs are named by directory; two directories with the same name are named by their paths', () => {
  assert.equal(runLabels(['runs/lr-0.1', 'runs/lr-0.3/']), ['lr-0.1', 'lr-0.3']);
  assert.equal(runLabels(['a/run', 'b/run', 'c']), ['a/run', 'b/run', 'c']);
});

function metrics(rows: Array<[number, number, number, number, number]>): string {
  return rows
    .map(([epoch, loss, testLoss, trainAccuracy, testAccuracy]) =>
      JSON.stringify({ epoch, loss, testLoss, trainAccuracy, testAccuracy, samplesPerSec: 1000 * epoch }),
    )
    .join('\n');
}

const withRate = (learningRate: number) => ({
  ...CLASSIFIER_CONFIG,
  train: { ...CLASSIFIER_CONFIG.train, optimizer: { ...CLASSIFIER_CONFIG.train.optimizer, learningRate } },
});
const slow = writeRun(join(root, 'slow'), {
  'config.json': JSON.stringify(withRate(0.01)),
  'metrics.jsonl': metrics([
    [1, 2, 2.1, 0.3, 0.3],
    [2, 1.5, 1.6, 0.4, 0.45],
    [3, 1, 1.2, 0.6, 0.5],
  ]),
});
const fast = writeRun(join(root, 'fast'), {
  'config.json': JSON.stringify(withRate(0.1)),
  'metrics.jsonl': metrics([
    [1, 1, 1.1, 0.6, 0.62],
    [2, 0.5, 0.7, 0.8, 0.75],
  ]),
});
const page = await buildComparison([readRunFiles(slow), readRunFiles(fast)]);

s('each chart overlays both runs: one line per run and series, one point per epoch', () => {
  const loss = chartHtml(page, 'loss');
  assert.is(ariaLabels(loss, 'line mark').length, 4, '2 runs × (train, test)');
  const points = ariaLabels(loss, 'point');
  assert.is(points.length, 10, '(3 + 2 epochs) × 2 series');
  assert.is(points.filter((p) => p.includes('run: slow')).length, 6);
  assert.ok(points.includes('epoch: 2; loss: 0.7; run: fast; series: test'), points.join('\n'));
  const speed = chartHtml(page, 'throughput');
  assert.is(ariaLabels(speed, 'line mark').length, 2);
  assert.is(ariaLabels(speed, 'point').length, 5);
  // The legend names the runs.
  assert.match(loss, />slow<\/text>/);
  assert.match(loss, />fast<\/text>/);
});

s('the final-metrics table holds each run’s last epoch, the best of a column in bold', () => {
  const final = /<section id="final">[\s\S]*?<\/section>/.exec(page)![0];
  assert.match(final, /slow<\/th><td>3<\/td><td>1<\/td><td>1\.2<\/td>/);
  assert.match(final, /fast<\/th><td>2<\/td><td><span class="best">0\.5<\/span><\/td>/);
  assert.match(final, /<span class="best">0\.75<\/span>/, 'highest test accuracy');
});

s('the config differences name the one field that differs, with each run’s value', () => {
  const differences = /<section id="differences">[\s\S]*?<\/section>/.exec(page)![0];
  const rows = differences.match(/<tr>/g)!.length - 1;
  assert.is(rows, 1);
  assert.match(differences, /<code>train\.optimizer\.learningRate<\/code><\/th><td>0\.01<\/td><td>0\.1<\/td>/);
});

s.run();
