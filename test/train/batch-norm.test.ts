import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { floatInputs } from '../../src/data/inputs.ts';
import { loadDataset } from '../../src/data/load.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { train, type TrainResult } from '../../src/index.ts';
import { initParams } from '../../src/model/init.ts';
import { planModel } from '../../src/model/plan.ts';
import { createRng, permutation, STREAM } from '../../src/random.ts';
import { chunkBounds } from '../../src/train/partition.ts';
import { loadModel } from '../../src/use/load.ts';
import { referenceEvaluation, referenceStep, widenWeights, type ReferenceNet } from './batch-norm-reference.ts';
import type { FaultSpec } from './fixtures/faulty-trainer.ts';
import { assertSameWeights, mnistConfig, tempDir, withTimeout, type KernelKind } from './helpers.ts';

/**
 * Batch norm in the trainer: statistics of the WHOLE batch however it is chunked (against an
 * independent float64 reference, and not per chunk), weights and running statistics bitwise the
 * same at 1, 2 and 3 workers, evaluation on the running statistics, resume.
 */
const s = suite('batch norm in the trainer');
const run = (config: RunConfigInput, options: Parameters<typeof train>[1] = { write: false }): Promise<TrainResult> =>
  withTimeout(train(config, options), 120_000, 'train');

const faultyWorker = fileURLToPath(new URL('./fixtures/faulty-trainer.ts', import.meta.url));
const NET: ReferenceNet = { features: 2, hidden: 6, classes: 3, epsilon: 1e-5, momentum: 0.9, learningRate: 0.5 };

/** 240 training rows of a 3-arm spiral in batches of 100, 100 and a short 40, each cut into 3 chunks. */
function bnConfig(
  o: { workers?: number; kernels?: KernelKind; epochs?: number; batchSize?: number; chunks?: number } = {},
) {
  return {
    name: 'bn-test',
    seed: 11,
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: {
      layers: [
        { type: 'affine', units: NET.hidden },
        { type: 'batch-norm' },
        { type: 'relu' },
        { type: 'affine', units: NET.classes },
      ],
    },
    train: {
      epochs: o.epochs ?? 1,
      batchSize: o.batchSize ?? 100,
      optimizer: { type: 'sgd', learningRate: NET.learningRate },
    },
    parallel: { workers: o.workers ?? 2, chunks: o.chunks ?? 3, kernels: o.kernels ?? 'reference' },
  } satisfies RunConfigInput;
}

/** The reference's weights after one epoch, statistics over `grouping` of each batch. */
async function referenceRun(config: RunConfigInput, grouping: 'batch' | 'chunk') {
  const parsed = parseConfig(config);
  const dataset = await loadDataset(parsed.data, parsed.seed);
  const plan = planModel(parsed.model, dataset.features);
  const values = new Float32Array(plan.paramCount);
  initParams(plan, values, parsed.seed);
  const w = widenWeights(
    Object.fromEntries(
      plan.params.map((p) => [p.name, { shape: p.shape, data: values.slice(p.offset, p.offset + p.size) }]),
    ),
  );
  w['layers.1.running_mean'] = new Float64Array(NET.hidden);
  w['layers.1.running_var'] = new Float64Array(NET.hidden).fill(1);
  const count = dataset.train.count;
  const order = permutation(count, createRng(parsed.seed, STREAM.order, 1));
  const { batchSize } = parsed.train;
  for (let start = 0; start < count; start += batchSize) {
    const batch = Array.from(order.subarray(start, Math.min(count, start + batchSize)));
    const chunks = parsed.parallel.chunks;
    const groups: [number, number][] =
      grouping === 'batch'
        ? [[0, batch.length]]
        : Array.from({ length: chunks }, (_, c) => chunkBounds(batch.length, chunks, c));
    referenceStep(NET, w, floatInputs(dataset.train.inputs), dataset.train.targets, batch, groups);
  }
  return { w, dataset };
}

function maxRelativeError(result: TrainResult, w: Record<string, Float64Array>): number {
  let worst = 0;
  for (const [name, tensor] of Object.entries(result.weights)) {
    const expected = w[name];
    assert.ok(expected, `the reference has no ${name}`);
    tensor.data.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(v - expected[k]) / Math.max(1, Math.abs(expected[k])));
    });
  }
  return worst;
}

s('one epoch (3 steps, the last short) matches a float64 whole-batch reference, not a per-chunk one', async () => {
  const config = bnConfig({ workers: 2 });
  const result = await run(config);
  assert.is(result.summary.steps, 3);
  const whole = maxRelativeError(result, (await referenceRun(config, 'batch')).w);
  const perChunk = maxRelativeError(result, (await referenceRun(config, 'chunk')).w);
  console.log(`[report] vs whole-batch reference ${whole.toExponential(2)}, vs per-chunk ${perChunk.toExponential(2)}`);
  assert.ok(whole < 2e-5, `weights and running statistics differ from the whole-batch reference by ${whole}`);
  // The negative control: statistics per chunk would be a different function, far outside the tolerance.
  assert.ok(perChunk > 100 * 2e-5, `the per-chunk reference is only ${perChunk} away: the test cannot tell them apart`);
});

/** Two batch-norm layers with dropout between them, momentum with a cosine schedule after a warmup. */
function withTechniques(config: ReturnType<typeof bnConfig>): RunConfigInput {
  return {
    ...config,
    model: {
      layers: [
        ...config.model.layers.slice(0, 3),
        { type: 'dropout', rate: 0.3 },
        { type: 'affine', units: 5 },
        { type: 'batch-norm', momentum: 0.8 },
        { type: 'relu' },
        { type: 'affine', units: NET.classes },
      ],
    },
    train: {
      ...config.train,
      optimizer: { type: 'momentum', learningRate: 0.1, schedule: { type: 'cosine', warmup: { steps: 3 } } },
    },
  };
}

for (const [kernels, techniques] of [
  ['reference', false],
  ['wasm', true],
] as const) {
  const what = techniques ? ' with dropout, two batch-norm layers and a cosine schedule' : '';
  s(`${kernels}${what}: weights AND running statistics byte-identical at 1, 2 and 3 workers (chunks 3)`, async () => {
    const config = (workers: number) => {
      const plain = bnConfig({ workers, kernels, batchSize: 32 });
      return techniques ? withTechniques(plain) : plain;
    };
    const one = await run(config(1));
    assert.ok(one.weights['layers.1.running_var'], 'the running statistics are among the weights');
    for (const workers of [2, 3]) {
      const other = await run(config(workers));
      assertSameWeights(other.weights, one.weights, `workers ${workers} vs 1`);
      assert.equal(
        other.metrics.map((m) => [m.loss, m.testLoss]),
        one.metrics.map((m) => [m.loss, m.testLoss]),
      );
    }
  });
}

s('a batch smaller than the chunk count (empty chunks) trains, at any worker count', async () => {
  // 240 rows in batches of 119: the last batch has 2 rows for 3 chunks, so one chunk is empty.
  const one = await run(bnConfig({ workers: 1, batchSize: 119 }));
  const three = await run(bnConfig({ workers: 3, batchSize: 119 }));
  assertSameWeights(three.weights, one.weights, 'workers 3 vs 1');
  for (const tensor of Object.values(one.weights)) assert.ok(tensor.data.every(Number.isFinite));
  const reference = (await referenceRun(bnConfig({ batchSize: 119 }), 'batch')).w;
  assert.ok(maxRelativeError(one, reference) < 2e-5, 'the 2-row batch matches the reference');
});

s('evaluation (training test loss, loadModel) uses the running statistics saved in model.safetensors', async () => {
  const dir = tempDir();
  const config = { ...bnConfig({ workers: 2, epochs: 2, batchSize: 32 }), output: { dir } };
  const result = await run(config, {});
  const saved = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
  assert.ok(saved['layers.1.running_mean'] && saved['layers.1.running_var']);
  assertSameWeights(saved, result.weights, 'model.safetensors');
  const model = loadModel(dir);
  const { dataset } = await referenceRun(config, 'batch');
  const test = dataset.test!;
  const expected = meanLoss(
    referenceEvaluation(NET, widenWeights(result.weights), floatInputs(test.inputs), test.count),
    test,
  );
  const loaded = model.evaluate(test).loss;
  assert.ok(
    Math.abs(loaded - expected) < 1e-5,
    `loadModel's test loss ${loaded}, a running-statistics forward ${expected}`,
  );
  // The running statistics matter: with the starting ones (mean 0, variance 1) the loss is another.
  const fresh = widenWeights(result.weights);
  fresh['layers.1.running_mean'].fill(0);
  fresh['layers.1.running_var'].fill(1);
  const other = meanLoss(referenceEvaluation(NET, fresh, floatInputs(test.inputs), test.count), test);
  assert.ok(Math.abs(other - expected) > 1e-3, `the running statistics change the loss only by ${other - expected}`);
  // Training's own test loss is an evaluation forward on the same statistics.
  const blockRows = Math.ceil(32 / 3);
  assert.is(model.evaluate(test, { blockRows }).loss, result.metrics.at(-1)!.testLoss);
});

s(
  'a worker that throws in a statistics phase: the step is retried from stage 0, the weights are unchanged',
  async () => {
    // MNIST 784-32-BN-10 on the reference kernels, 8 chunks: heavy enough that the worker takes chunks.
    const base = mnistConfig({ workers: 2, units: 32, epochs: 1 });
    const [first, ...rest] = base.model.layers;
    const config = {
      ...base,
      model: { ...base.model, layers: [first, { type: 'batch-norm' }, ...rest] },
      parallel: { ...base.parallel, stepTimeoutSeconds: 20 },
    } as RunConfigInput;
    const clean = await run({ ...config, parallel: { ...config.parallel, workers: 1 } });
    const dir = tempDir('shardprop-fault-');
    const fault: FaultSpec = { kind: 'throw', step: 2, times: 1, phase: 'stats', dir };
    process.env.SHARDPROP_FAULT = JSON.stringify(fault); // worker threads copy it when they start
    let retries = 0;
    try {
      const faulty = await run(config, { write: false, workerFile: faultyWorker, onRetry: () => retries++ });
      assert.is(readdirSync(dir).length, 1, 'the fault fired once');
      assert.is(retries, 1);
      assertSameWeights(faulty.weights, clean.weights, 'after a retried statistics phase');
    } finally {
      delete process.env.SHARDPROP_FAULT;
    }
  },
);

s(
  'a run stopped mid-epoch and resumed (another worker count) ends with the uninterrupted weights and statistics',
  async () => {
    const config = (dir: string) => ({
      ...bnConfig({ workers: 1, epochs: 2, batchSize: 32 }),
      checkpoint: { everySteps: 3, keep: 2 },
      output: { dir },
    });
    const whole = await run(config(tempDir()), {});
    const dir = tempDir();
    const controller = new AbortController();
    let steps = 0;
    const first = await run(config(dir), {
      signal: controller.signal,
      onStep: () => ++steps === 5 && controller.abort(),
    });
    assert.is(first.summary.status, 'interrupted');
    const resumed = await run(config(dir), { resume: true, workers: 3 });
    assert.is(resumed.summary.resumedFromStep, 5);
    assertSameWeights(resumed.weights, whole.weights, 'resumed vs uninterrupted');
  },
);

/** The mean softmax cross-entropy of float64 logits against a split's class targets. */
function meanLoss(logits: Float64Array, split: { count: number; targets: Float32Array }): number {
  let sum = 0;
  for (let i = 0; i < split.count; i++) {
    const row = Array.from(logits.subarray(i * NET.classes, (i + 1) * NET.classes));
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((acc, v) => acc + Math.exp(v - top), 0));
    sum += logSum - row[split.targets[i]];
  }
  return sum / split.count;
}

const bestFile = (dir: string) => decodeSafetensors(readFileSync(join(dir, 'model.best.safetensors')));

s(
  'early stopping keeps the best epoch with its own running statistics: model.best.safetensors, the best ' +
    'test loss, and a resumed run',
  async () => {
    // Learning rate 1 with a validation split: the best epoch is 4, the run stops after 6 (checked).
    const config = (dir: string, workers = 1) => {
      const base = bnConfig({ workers, epochs: 8, batchSize: 32 });
      return {
        ...base,
        data: { ...base.data, validation: 0.25 },
        train: {
          ...base.train,
          optimizer: { type: 'sgd', learningRate: 1 },
          earlyStopping: { metric: 'validationLoss', patience: 2 },
        },
        checkpoint: { everySteps: 4, keep: 2 },
        output: { dir },
      } satisfies RunConfigInput;
    };
    const dir = tempDir();
    const whole = await run(config(dir), {});
    assert.is(whole.summary.bestEpoch, 4);
    assert.is(whole.summary.epochs, 6);
    const best = widenWeights(bestFile(dir));
    const final = widenWeights(whole.weights);
    assert.ok(best['layers.1.running_mean'] && best['layers.1.running_var'], 'model.best.safetensors: statistics');
    // The best test loss is the best weights' forward on THEIR running statistics (an independent float64
    // forward), not on the last epoch's, which would give another loss.
    const { dataset } = await referenceRun(config(dir), 'batch');
    const test = dataset.test!;
    const expected = meanLoss(referenceEvaluation(NET, best, floatInputs(test.inputs), test.count), test);
    const bestTestLoss = whole.summary.bestTestLoss as number;
    assert.ok(Math.abs(bestTestLoss - expected) < 1e-5, `bestTestLoss ${bestTestLoss}, reference ${expected}`);
    const mixed: typeof best = { ...best };
    mixed['layers.1.running_mean'] = final['layers.1.running_mean'];
    mixed['layers.1.running_var'] = final['layers.1.running_var'];
    const stale = meanLoss(referenceEvaluation(NET, mixed, floatInputs(test.inputs), test.count), test);
    assert.ok(
      Math.abs(stale - expected) > 1e-3,
      `the last epoch's statistics change the loss only by ${stale - expected}`,
    );
    // Stopped in epoch 5 (after the best epoch) and resumed at 3 workers: the checkpoint carried the best
    // epoch's statistics, so the best file and the best test loss are the uninterrupted run's.
    const stopped = tempDir();
    const controller = new AbortController();
    let epochs = 0;
    let steps = 0;
    const first = await run(config(stopped), {
      signal: controller.signal,
      onEpoch: () => epochs++,
      onStep: () => epochs === 4 && ++steps === 2 && controller.abort(),
    });
    assert.is(first.summary.status, 'interrupted');
    const resumed = await run(config(stopped, 3), { resume: true, workers: 3 });
    assertSameWeights(resumed.weights, whole.weights, 'resumed vs uninterrupted');
    assertSameWeights(bestFile(stopped), bestFile(dir), 'model.best.safetensors after a resume');
    assert.is(resumed.summary.bestTestLoss, whole.summary.bestTestLoss);
  },
);

s(
  'batch norm + dropout + clipping + class weights + validation early stopping + a schedule: the same ' +
    'weights, statistics, model.best.safetensors and summary at 1, 2 and 3 workers',
  async () => {
    const all = (workers: number, dir: string): RunConfigInput => ({
      seed: 8,
      data: { source: 'synthetic', kind: 'spiral', n: 300, validation: 0.2 },
      model: {
        layers: [
          { type: 'affine', units: 64 },
          { type: 'batch-norm' },
          { type: 'relu' },
          { type: 'dropout', rate: 0.2 },
          { type: 'affine', units: 64 }, // 4675 parameters: the clip norm spans 2 reduce ranges
          { type: 'batch-norm', momentum: 0.8 },
          { type: 'relu' },
          { type: 'affine', units: 3 },
        ],
      },
      train: {
        epochs: 6,
        batchSize: 32,
        optimizer: { type: 'momentum', learningRate: 0.3, schedule: { type: 'cosine', warmup: { steps: 5 } } },
        clipGradientNorm: 0.5,
        classWeights: [1, 2, 0.5],
        earlyStopping: { metric: 'validationAccuracy', patience: 2 },
      },
      parallel: { workers, chunks: 3, kernels: 'wasm' },
      output: { dir },
    });
    const runs: Array<{ result: TrainResult; best: Buffer; final: Buffer }> = [];
    for (const workers of [1, 2, 3]) {
      const dir = tempDir('bn-techniques-');
      const result = await run(all(workers, dir), {});
      const [best, final] = ['model.best.safetensors', 'model.safetensors'].map((f) => readFileSync(join(dir, f)));
      runs.push({ result, best, final });
    }
    const outcome = (r: TrainResult) => {
      const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = r.summary;
      return rest;
    };
    const saved = decodeSafetensors(runs[0].final);
    assert.ok(saved['layers.5.running_var'], 'model.safetensors holds the running statistics');
    assert.ok(decodeSafetensors(runs[0].best)['layers.5.running_var'], 'so does model.best.safetensors');
    for (const i of [1, 2]) {
      assertSameWeights(runs[i].result.weights, runs[0].result.weights, `${i + 1} workers: weights and statistics`);
      assert.ok(runs[i].final.equals(runs[0].final), `${i + 1} workers: model.safetensors`);
      assert.ok(runs[i].best.equals(runs[0].best), `${i + 1} workers: model.best.safetensors`);
      assert.equal(outcome(runs[i].result), outcome(runs[0].result), `${i + 1} workers: summary`);
    }
    assert.type(runs[0].result.summary.bestEpoch, 'number');
  },
);

s.run();
