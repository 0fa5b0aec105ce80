/**
 * Hand-written run directories for the report tests: the numbers below are typed in, not produced
 * by the trainer, so every expected count and value in the tests is read off this file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '../../src/io/safetensors.ts';
import { tempDir } from '../support/temp.ts';

/** A fresh temp directory for one test file, removed when it exits. */
export function scratchDir(tag: string): string {
  return tempDir(`shardprop-report-${tag}-`);
}

/** A 4-3-3 classifier (affine, relu, affine): 4·3 + 3 + 3·3 + 3 = 27 parameters. */
export const CLASSIFIER_CONFIG = {
  name: 'tiny-classifier',
  seed: 42,
  data: { source: 'csv', path: 'data/tiny.csv', labelColumn: 4, header: true, testFraction: 0.25 },
  model: {
    layers: [
      { type: 'affine', units: 3, init: 'he', std: 0.01 },
      { type: 'relu' },
      { type: 'affine', units: 3, init: 'normal', std: 0.05 },
    ],
    loss: 'softmax-cross-entropy',
  },
  train: { epochs: 3, batchSize: 10, optimizer: { type: 'sgd', learningRate: 0.1, weightDecay: 0 } },
  parallel: { workers: 2, chunks: 4, kernels: 'wasm', stepTimeoutSeconds: 120 },
  output: { dir: 'runs/tiny-classifier' },
};

/** 3 epochs; epoch 2's line ends with \r\n and a blank line follows it (both tolerated). */
export const CLASSIFIER_METRICS =
  '{"epoch":1,"loss":1.2,"trainAccuracy":0.5,"testAccuracy":0.55,"testLoss":1.1,"samplesPerSec":1000,' +
  '"seconds":0.1,"workers":2}\n' +
  '{"epoch":2,"loss":0.8,"trainAccuracy":0.7,"testAccuracy":0.65,"testLoss":0.9,"samplesPerSec":1500,' +
  '"seconds":0.07,"workers":2}\r\n\n' +
  '{"epoch":3,"loss":0.5,"trainAccuracy":0.9,"testAccuracy":0.6,"testLoss":0.95,"samplesPerSec":1200,' +
  '"seconds":0.08,"workers":2}\n';

export const CLASSIFIER_SUMMARY = {
  name: 'tiny-classifier',
  epochs: 3,
  steps: 12,
  loss: 0.5,
  trainAccuracy: 0.9,
  testAccuracy: 0.6,
  seconds: 0.31,
  samplesPerSec: 1234.5,
  workers: 2,
  chunks: 4,
  kernels: 'wasm',
  parameters: 27,
};

/** Rows: true class; columns: predicted. cat: 8 of 10 right, dog: 3 of 5, bird: 0 of 0 (no test sample). */
export const CONFUSION = {
  classes: ['cat', 'dog', 'bird'],
  matrix: [
    [8, 2, 0],
    [1, 3, 1],
    [0, 0, 0],
  ],
};

const zeros = (n: number) => new Float32Array(n);

export function classifierWeights(): Uint8Array {
  return encodeSafetensors({
    'layers.0.weight': { shape: [4, 3], data: zeros(12) },
    'layers.0.bias': { shape: [3], data: zeros(3) },
    'layers.2.weight': { shape: [3, 3], data: zeros(9) },
    'layers.2.bias': { shape: [3], data: zeros(3) },
  });
}

/** Writes a run directory; `files` replaces or removes (null) any of the default files. */
export function writeRun(dir: string, files: Record<string, string | Uint8Array | null> = {}): string {
  const defaults: Record<string, string | Uint8Array> = {
    'config.json': JSON.stringify(CLASSIFIER_CONFIG, null, 2),
    'metrics.jsonl': CLASSIFIER_METRICS,
    'summary.json': JSON.stringify(CLASSIFIER_SUMMARY, null, 2),
    'model.safetensors': classifierWeights(),
  };
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries({ ...defaults, ...files }))
    if (content !== null) writeFileSync(join(dir, name), content);
  return dir;
}

/** A regression run: no accuracy at all; mse/mae/r2, a learning-rate schedule and a field no rule knows (gradNorm). */
export const REGRESSION_METRICS = [
  { epoch: 1, loss: 4, testLoss: 5, mse: 8, mae: 2, r2: 0.1, learningRate: 0.1, gradNorm: 3, samplesPerSec: 900 },
  { epoch: 2, loss: 2, testLoss: 3, mse: 4, mae: 1.5, r2: 0.5, learningRate: 0.01, gradNorm: 2, samplesPerSec: 950 },
  { epoch: 3, loss: 1, testLoss: null, mse: 2, mae: 1, r2: 0.8, learningRate: 0.001, gradNorm: 1, samplesPerSec: 990 },
  {
    epoch: 4,
    loss: 0.5,
    testLoss: 1,
    mse: 1,
    mae: 0.7,
    r2: 0.9,
    learningRate: 0.001,
    gradNorm: 0.5,
    samplesPerSec: 1e3,
  },
]
  .map((row) => JSON.stringify({ ...row, phase: 'train' }))
  .join('\n');

export const REGRESSION_CONFIG = {
  ...CLASSIFIER_CONFIG,
  name: 'tiny-regression',
  model: { layers: [{ type: 'affine', units: 1, init: 'zeros', std: 0.01 }], loss: 'mse' },
};

/** Every `aria-label` of the SVG elements with the given role description, in document order. */
export function ariaLabels(html: string, roleDescription: string): string[] {
  const labels: string[] = [];
  for (const match of html.matchAll(/<[a-z]+ ([^>]*)>/g)) {
    const attributes = match[1];
    if (!attributes.includes(`aria-roledescription="${roleDescription}"`)) continue;
    labels.push(/aria-label="([^"]*)"/.exec(attributes)?.[1] ?? '');
  }
  return labels;
}

/** The `<figure data-chart="id">…</figure>` element of a chart, or '' when the page has none. */
export function chartHtml(html: string, id: string): string {
  return new RegExp(`<figure class="chart" data-chart="${id}"[\\s\\S]*?</figure>`).exec(html)?.[0] ?? '';
}
