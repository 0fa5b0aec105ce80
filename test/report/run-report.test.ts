import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSafetensors } from '../../src/io/safetensors.ts';
import { formatNumber } from '../../src/report/html.ts';
import { buildRunReport, writeRunReport } from '../../src/report/run-report.ts';
import { readRunFiles } from '../../src/report/run-files.ts';
import {
  ariaLabels,
  chartHtml,
  CLASSIFIER_CONFIG,
  CONFUSION,
  REGRESSION_CONFIG,
  REGRESSION_METRICS,
  scratchDir,
  writeRun,
} from './helpers.ts';

const s = suite('report.html of one run (in-process)');
const root = scratchDir('run');

const classifier = writeRun(join(root, 'classifier'), { 'confusion.json': JSON.stringify(CONFUSION) });
const html = await buildRunReport(readRunFiles(classifier));

/** `[epoch, value]` of each point of one series, read back from the SVG's accessible labels. */
function plotted(chart: string, series: string): Array<[number, number]> {
  return ariaLabels(chart, 'point')
    .filter((label) => label.endsWith(`series: ${series}`))
    .map((label) => {
      const [, epoch, value] = /^epoch: (\d+); [^:]+: ([-\d.e+]+);/.exec(label)!;
      return [Number(epoch), Number(value)];
    });
}

s('3 epochs give charts of loss, accuracy and samples/s, 3 points per series, train and test', () => {
  const charts = [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(charts, ['loss', 'accuracy', 'throughput', 'confusion']);
  const loss = chartHtml(html, 'loss');
  assert.is(ariaLabels(loss, 'line mark').length, 2);
  assert.equal(plotted(loss, 'train'), [
    [1, 1.2],
    [2, 0.8],
    [3, 0.5],
  ]);
  assert.equal(plotted(loss, 'test'), [
    [1, 1.1],
    [2, 0.9],
    [3, 0.95],
  ]);
  const accuracy = chartHtml(html, 'accuracy');
  assert.equal(plotted(accuracy, 'train'), [
    [1, 0.5],
    [2, 0.7],
    [3, 0.9],
  ]);
  assert.equal(plotted(accuracy, 'test').length, 3);
  const speed = chartHtml(html, 'throughput');
  assert.is(ariaLabels(speed, 'line mark').length, 1);
  assert.equal(plotted(speed, 'samples/s'), [
    [1, 1000],
    [2, 1500],
    [3, 1200],
  ]);
});

s('the final/best table takes the last epoch and the best one (lowest loss, highest accuracy)', () => {
  const final = /<section id="final">[\s\S]*?<\/section>/.exec(html)![0];
  assert.match(final, /final \(epoch 3\)/);
  assert.match(final, /test loss<\/th><td>0\.95<\/td><td>0\.9 <span class="note">\(epoch 2\)/);
  assert.match(final, /test accuracy<\/th><td>0\.6<\/td><td>0\.65 <span class="note">\(epoch 2\)/);
});

s('the confusion matrix is a heat map of 9 cells with the class names, and a recall per class', () => {
  const heatmap = chartHtml(html, 'confusion');
  const cells = ariaLabels(heatmap, 'rect mark');
  assert.is(cells.length, 9);
  assert.ok(cells.includes('predicted class: dog; true class: cat; samples: 2'), cells.join('\n'));
  assert.ok(cells.includes('predicted class: bird; true class: dog; samples: 1'));
  assert.ok(cells.includes('predicted class: bird; true class: bird; samples: 0'));
  for (const name of ['cat', 'dog', 'bird']) assert.match(heatmap, `>${name}</text>`);
  const section = /<section id="confusion">[\s\S]*?<\/section>/.exec(html)![0];
  assert.match(section, /cat<\/th><td>10<\/td><td>0\.8<\/td>/);
  assert.match(section, /dog<\/th><td>5<\/td><td>0\.6<\/td>/);
  assert.match(section, /bird<\/th><td>0<\/td><td>—<\/td>/, 'no test sample: no recall');
});

s('the network: input width and layer shapes from the weights header, parameters per tensor and in total', () => {
  const network = /<section id="network">[\s\S]*?<\/section>/.exec(html)![0];
  assert.match(network, '4 features');
  assert.match(network, '4 → 3</div>');
  assert.match(network, '15 parameters');
  assert.match(network, '12 parameters');
  assert.match(network, 'init normal (std 0.05)');
  assert.match(network, /layers\.0\.weight<\/th><td>4 × 3<\/td><td>12<\/td>/);
  assert.match(network, /layers\.2\.bias<\/th><td>3<\/td><td>3<\/td>/);
  assert.match(network, /<strong>27<\/strong>/);
});

s('the network without a weights file: shapes from the config (mnist: 784 inputs)', async () => {
  const config = { name: 'm', data: { source: 'mnist' }, model: { layers: [{ type: 'affine', units: 10 }] } };
  const dir = writeRun(join(root, 'no-weights'), { 'config.json': JSON.stringify(config), 'model.safetensors': null });
  const page = await buildRunReport(readRunFiles(dir));
  assert.match(page, '784 → 10</div>');
  assert.match(page, /<strong>7,850<\/strong>/); // 784·10 + 10
});

s('an image model: shapes from model.json, not from the conv weight (its leading dimension is filters)', async () => {
  // [1, 6, 6] → conv2d 2@3×3 → [2, 4, 4] → batch-norm (32 features) → maxpool 2 → [2, 2, 2] → affine 3.
  const layers = [
    { type: 'conv2d', filters: 2, kernel: 3 },
    { type: 'batch-norm' },
    { type: 'maxpool', size: 2 },
    { type: 'affine', units: 3 },
  ];
  const config = { ...CLASSIFIER_CONFIG, data: { source: 'idx', images: 'i', labels: 'l' }, model: { layers } };
  const tensors: Record<string, number[]> = {
    'layers.0.weight': [2, 1, 3, 3],
    'layers.0.bias': [2],
    'layers.1.gamma': [32],
    'layers.1.beta': [32],
    'layers.1.running_mean': [32],
    'layers.1.running_var': [32],
    'layers.3.weight': [8, 3],
    'layers.3.bias': [3],
  };
  const learned = (index: number) =>
    Object.entries(tensors)
      .filter(([name]) => name.startsWith(`layers.${index}.`) && !name.includes('running'))
      .map(([name, shape]) => ({ name, shape }));
  const shapes = [[1, 6, 6], [2, 4, 4], [2, 4, 4], [2, 2, 2], [3]];
  const described = {
    layers: layers.map((layer, i) => ({
      type: layer.type,
      inputShape: shapes[i],
      outputShape: shapes[i + 1],
      params: learned(i),
    })),
  };
  const weights = encodeSafetensors(
    Object.fromEntries(
      Object.entries(tensors).map(([name, shape]) => [
        name,
        { shape, data: new Float32Array(shape.reduce((a, b) => a * b)) },
      ]),
    ),
  );
  const dir = writeRun(join(root, 'image'), {
    'config.json': JSON.stringify(config),
    'model.json': JSON.stringify(described),
    'model.safetensors': weights,
  });
  const network = /<section id="network">[\s\S]*?<\/section>/.exec(await buildRunReport(readRunFiles(dir)))![0];
  const boxes = [...network.matchAll(/<div class="shape">([^<]*)<\/div>/g)].map((m) => m[1]);
  assert.equal(boxes, ['1×6×6 (36 values)', '2×4×4', '2×4×4', '2×2×2', '8 → 3', '3 outputs']);
  assert.match(network, '20 parameters'); // conv: 2·9 + 2
  assert.match(network, '64 parameters'); // batch norm: gamma and beta of 32; the running statistics are not learned
  assert.match(network, /layers\.1\.running_var<\/th><td>32<\/td><td>32 <span class="note">\(not learned\)/);
  assert.match(network, /<strong>111<\/strong>/); // 20 + 64 + 8·3 + 3, as summary.json's parameters
});

s('a run that stopped before its first epoch (config.json only): a page without charts that says so', async () => {
  const dir = writeRun(join(root, 'no-epoch'), {
    'metrics.jsonl': null,
    'summary.json': null,
    'model.safetensors': null,
  });
  const page = await buildRunReport(readRunFiles(dir));
  assert.not.match(page, '<figure');
  assert.match(page, 'No epoch has finished');
  assert.match(page, 'No summary.json: the run did not finish.');
  // The network is still drawn from the config; a csv source does not tell its width without the weights.
  assert.match(page, '? → 3</div>');
});

s('the summary table and the resolved config are on the page', () => {
  assert.match(html, /wall time \(s\)<\/th><td>0\.31<\/td>/);
  assert.match(html, /samples\/s \(training, mean\)<\/th><td>1,235<\/td>/);
  assert.match(html, '&#34;learningRate&#34;: 0.1');
});

s('a regression run: no accuracy chart; loss, mse/mae, R², samples/s, learning rate and an unknown field', async () => {
  const dir = writeRun(join(root, 'regression'), {
    'config.json': JSON.stringify(REGRESSION_CONFIG),
    'metrics.jsonl': REGRESSION_METRICS,
  });
  const page = await buildRunReport(readRunFiles(dir));
  const charts = [...page.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(charts, ['loss', 'error', 'r2', 'throughput', 'learningRate', 'field-gradNorm']);
  // testLoss is null at epoch 3: that point is missing and the line is broken there (two pieces).
  const loss = chartHtml(page, 'loss');
  assert.equal(
    plotted(loss, 'test').map(([epoch]) => epoch),
    [1, 2, 4],
  );
  assert.is(plotted(loss, 'train').length, 4);
  assert.is(ariaLabels(chartHtml(page, 'error'), 'point').length, 8);
  assert.equal(
    plotted(chartHtml(page, 'learningRate'), 'learning rate').map(([, v]) => v),
    [0.1, 0.01, 0.001, 0.001],
  );
  assert.not.match(page, 'data-chart="accuracy"');
  assert.not.match(page, 'phase', 'a string field is not plotted');
});

s('writeRunReport writes report.html into the run directory and it is the page built above', async () => {
  const written = await writeRunReport(classifier);
  assert.is(written, join(classifier, 'report.html'));
  // Byte-identical: rendering twice gives the same page (no ids from a process-wide counter).
  assert.ok(readFileSync(written, 'utf8') === html, 'the written page differs from the one built before');
});

s('the page is self-contained: no script, no external resource, a CSP that forbids fetching', () => {
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<link|<img|<iframe|\bsrc=/i);
  assert.not.match(html, /href="(?!#)/);
  assert.match(html, `content="default-src 'none'`);
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
  assert.is(svgs.length, 4);
  // Ids are unique across the inlined SVGs (vega numbers them from 1 in every chart).
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.is(new Set(ids).size, ids.length);
});

s('numbers are formatted for people', () => {
  assert.is(formatNumber(0.9833333333333333), '0.9833');
  assert.is(formatNumber(37451.34402577517), '37,451');
  assert.is(formatNumber(39760), '39,760');
  assert.is(formatNumber(1.8e60), '1.80e+60');
  assert.is(formatNumber(0.00001234), '1.23e-5');
  assert.is(formatNumber(0), '0');
});

s.run();
