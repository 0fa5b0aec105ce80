import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { idxImages, idxLabels } from '../data/helpers.ts';
import { digest, spiralConfig, tempDir, userErrorOf } from './helpers.ts';

/**
 * A run stopped at any step (options.signal, as the CLI does on SIGINT/SIGTERM) and resumed, with
 * any worker count, ends with the same bytes as an uninterrupted run: parameters, optimizer state,
 * Adam's step count, the data order and the epoch's partial sums all come back from the checkpoint.
 */
const s = suite('resume');

function config(dir: string): RunConfigInput {
  // One thread unless a test asks for more: a pool's start-up is most of a tiny run's time.
  const c = spiralConfig({ workers: 1, kernels: 'wasm', epochs: 3 });
  return {
    ...c,
    train: { ...c.train, optimizer: { type: 'adam', learningRate: 0.01 } },
    checkpoint: { everySteps: 3, keep: 2 },
    output: { dir },
  };
}

/** The metrics without timing fields (those differ between any two runs). */
const outcome = (lines: object[]) =>
  lines.map((m) => {
    const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = m as Record<string, unknown>;
    return rest;
  });
const metricsFile = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

let reference: { digest: string; metrics: object[]; steps: number };

s.before(async () => {
  const dir = tempDir();
  const result = await train(config(dir));
  reference = { digest: digest(result.weights), metrics: outcome(result.metrics), steps: result.summary.steps };
});

/** Stops after `stopAt` global steps, then resumes (with `workers`) until the run completes. */
async function interruptedRun(stopAt: number, workers: number) {
  const dir = tempDir();
  const controller = new AbortController();
  let steps = 0;
  const first = await train(config(dir), {
    signal: controller.signal,
    onStep: () => ++steps === stopAt && controller.abort(),
  });
  assert.is(first.summary.status, 'interrupted');
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.is(summary.status, 'interrupted');
  const resumed = await train(config(dir), { resume: true, workers });
  return { dir, first, resumed };
}

for (const [stopAt, workers] of [
  [1, 1],
  [4, 2],
  [8, 3],
  [9, 1],
  [13, 2],
] as const) {
  s(
    `stopped after step ${stopAt}, resumed with ${workers} worker(s): the uninterrupted weights and metrics`,
    async () => {
      const { dir, resumed } = await interruptedRun(stopAt, workers);
      assert.is(resumed.summary.status, 'complete');
      assert.is(resumed.summary.resumedFromStep, stopAt);
      assert.is(resumed.summary.steps, reference.steps);
      assert.is(digest(resumed.weights), reference.digest);
      assert.equal(outcome(metricsFile(dir)), reference.metrics);
    },
  );
}

s('a config that differs in more than speed settings is refused, naming the field', async () => {
  const { dir } = await interruptedRun(2, 1);
  const other = config(dir);
  other.train = { ...other.train, optimizer: { type: 'adam', learningRate: 0.02 } };
  const error = await userErrorOf(train(other, { resume: true }));
  assert.match(error.message, 'train.optimizer.learningRate is 0.01 in the run but 0.02 in this config');
  // A run directory written before parallel.inputStorage existed holds a config.json without it.
  const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  delete stored.parallel.inputStorage;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(stored));
  const parallel = { ...config(dir).parallel, workers: 3, stepTimeoutSeconds: 9, inputStorage: 'float32' as const };
  assert.is((await train({ ...config(dir), parallel }, { resume: true })).summary.status, 'complete');
});

s('an unreadable newest checkpoint is skipped with a warning: the older one gives the same result', async () => {
  const dir = tempDir();
  const controller = new AbortController();
  let steps = 0;
  await train(config(dir), { signal: controller.signal, onStep: () => ++steps === 7 && controller.abort() });
  const names = readdirSync(join(dir, 'checkpoints')).sort();
  assert.equal(names, ['step-000000006.safetensors', 'step-000000007.safetensors']);
  writeFileSync(join(dir, 'checkpoints', names[1]), 'torn');
  const warnings: string[] = [];
  const resumed = await train(config(dir), { resume: true, onWarning: (w) => warnings.push(w) });
  assert.match(warnings.join('\n'), 'step-000000007.safetensors');
  assert.is(resumed.summary.resumedFromStep, 6);
  assert.is(digest(resumed.weights), reference.digest);
});

s(
  'a data file replaced by images of another height and width (as many pixels) is refused, the run untouched',
  async () => {
    // 8 images of 2×3 pixels, then the same bytes as 3×2 images: [flatten, affine] has the same
    // parameter count on both, so the checkpoint reads back and the run would go on, on pixels laid out anew.
    const dir = tempDir();
    const [images, labels] = [join(dir, 'images.idx'), join(dir, 'labels.idx')];
    const pixels = Array.from({ length: 48 }, (_, i) => (i * 37) % 256);
    writeFileSync(images, idxImages(8, 2, 3, pixels));
    writeFileSync(labels, idxLabels([0, 1, 0, 1, 1, 0, 1, 0]));
    const run = join(dir, 'run');
    const idxConfig: RunConfigInput = {
      ...config(run),
      data: { source: 'idx', images, labels },
      model: { layers: [{ type: 'flatten' }, { type: 'affine', units: 2 }] },
      train: { epochs: 2, batchSize: 2 },
    };
    const controller = new AbortController();
    await train(idxConfig, { signal: controller.signal, onStep: (step) => step.step === 3 && controller.abort() });
    const before = readFileSync(join(run, 'summary.json'), 'utf8');
    writeFileSync(images, idxImages(8, 3, 2, pixels));
    const error = await userErrorOf(train(idxConfig, { resume: true }));
    assert.is(
      error.message,
      `cannot resume ${run}: its data gives rows of [1, 3, 2] now, but the run trained on [1, 2, 3] ` +
        '(its model.json): were the data files replaced?\n  → at data',
    );
    assert.is(readFileSync(join(run, 'summary.json'), 'utf8'), before, 'the run directory is as it was');
    writeFileSync(images, idxImages(8, 2, 3, pixels));
    // A run written before image shapes recorded its IDX rows flat: as many values are the same data.
    const described = JSON.parse(readFileSync(join(run, 'model.json'), 'utf8'));
    writeFileSync(join(run, 'model.json'), JSON.stringify({ ...described, input: { features: 6, shape: [6] } }));
    assert.is((await train(idxConfig, { resume: true })).summary.status, 'complete', 'the same data resumes');
  },
);

s('resuming a directory that holds no run is refused', async () => {
  const error = await userErrorOf(train(config(tempDir()), { resume: true }));
  assert.match(error.message, 'holds no run to resume');
});

s.run();
