import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { floatInputs } from '../../src/data/inputs.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { confusionOf, loadModel } from '../../src/index.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import { ChainModel } from '../../src/model/chain.ts';
import { heapAllocator } from '../../src/tensor.ts';
import type { Evaluation } from '../../src/use/evaluation.ts';
import type { RegressionEvaluation } from '../../src/use/regression-evaluation.ts';
import { mnistConfig, tempDir, trainRun, userErrorOf, type TrainedRun } from './helpers.ts';

/** A loaded model computes what training computed: the same forward pass, bit for bit. */
const s = suite('loadModel: predictions equal the training code path');
const root = tempDir();
let wasm: TrainedRun;
let reference: TrainedRun;
const csv: TrainedRun[] = [];
/** The CSV test file's rows as written: 3 features, then the label. */
let csvTest: number[][];
/** Rows per evaluation chunk in training: ceil(min(batchSize 100, 500 rows) / 8 chunks). */
const TRAINING_CHUNK = 13;

/** A classifier's evaluation (evaluate returns a regressor's otherwise). */
function classified(evaluation: Evaluation | RegressionEvaluation): Evaluation {
  if (evaluation.task !== 'classification') throw new Error('expected a classifier evaluation');
  return evaluation;
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

s.before(async () => {
  wasm = await trainRun(mnistConfig('wasm'), join(root, 'wasm'));
  reference = await trainRun(mnistConfig('reference'), join(root, 'reference'));
  // Features from 0 to ~1000: predict must preprocess the raw values as training did.
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const [a, b] = [((from + k) * 37) % 101, ((from + k) * 53) % 97];
      return [a * 0.7, b * 10.3, (a + b) % 13, a > b ? 1 : 0];
    });
  const write = (name: string, data: number[][]) =>
    writeFileSync(join(root, name), ['a,b,c,label', ...data.map((r) => r.join(','))].join('\n') + '\n');
  write('wide.csv', rows(0, 150));
  write('wide-test.csv', (csvTest = rows(150, 200)));
  for (const normalize of [50, 'standardize'] as const) {
    const run = await trainRun(
      {
        seed: 5,
        data: {
          source: 'csv',
          path: join(root, 'wide.csv'),
          testPath: join(root, 'wide-test.csv'),
          labelColumn: 'label',
          normalize,
        },
        model: { layers: [{ type: 'affine', units: 8 }, { type: 'tanh' }, { type: 'affine', units: 2 }] },
        train: { epochs: 3, batchSize: 30, optimizer: { type: 'adam', learningRate: 0.01 } },
        parallel: { workers: 1, chunks: 3, kernels: 'wasm' },
      },
      join(root, `csv-${normalize}`),
    );
    csv.push(run);
  }
});

s('evaluate on the test split gives the last epoch’s testLoss and testAccuracy exactly (wasm kernels)', () => {
  const last = wasm.result.metrics.at(-1)!;
  const evaluation = classified(loadModel(wasm.dir).evaluate(wasm.dataset, { blockRows: TRAINING_CHUNK }));
  assert.is(evaluation.count, 100);
  assert.is(evaluation.correct / 100, last.testAccuracy);
  assert.ok(Object.is(evaluation.loss, last.testLoss), `loss ${evaluation.loss} vs training's ${last.testLoss}`);
});

s('the same with the reference kernels, which the model records and loadModel uses', () => {
  const last = reference.result.metrics.at(-1)!;
  const model = loadModel(reference.dir);
  assert.is(model.description.kernels, 'reference');
  const evaluation = classified(model.evaluate(reference.dataset, { blockRows: TRAINING_CHUNK }));
  assert.is(evaluation.correct / 100, last.testAccuracy);
  assert.ok(Object.is(evaluation.loss, last.testLoss), `loss ${evaluation.loss} vs training's ${last.testLoss}`);
});

s('raw CSV rows go through the stored divisor or standardization: the same loss and accuracy as training', () => {
  const [divided, standardized] = csv.map((run) => loadModel(run.dir));
  assert.equal(divided.description.preprocessing, { kind: 'divide', divisor: 50 });
  const stats = standardized.description.preprocessing as { kind: string; mean: number[]; std: number[] };
  assert.equal([stats.kind, stats.mean.length, stats.std.length], ['standardize', 3, 3]);
  csv.forEach((run, i) => {
    const last = run.result.metrics.at(-1)!;
    const model = [divided, standardized][i];
    const data = { rows: csvTest.map((r) => r.slice(0, 3)), labels: csvTest.map((r) => r[3]) };
    const evaluation = classified(model.evaluate(data, { blockRows: Math.ceil(30 / 3) }));
    assert.is(evaluation.correct / 50, last.testAccuracy);
    assert.ok(Object.is(evaluation.loss, last.testLoss), `loss ${evaluation.loss} vs training's ${last.testLoss}`);
  });
});

s('a row’s outputs do not depend on the block it is computed in', () => {
  const inputs = floatInputs(wasm.dataset.test!.inputs);
  const outputs = [1, 7, 256, 1000].map((blockRows) => loadModel(wasm.dir, { blockRows }).forward(inputs));
  for (const other of outputs.slice(1)) assert.ok(bytes(other).equals(bytes(outputs[0])));
  // Nested rows and a flat array are the same rows.
  const nested = Array.from({ length: 100 }, (_, i) => Array.from(inputs.subarray(i * 784, (i + 1) * 784)));
  assert.ok(bytes(loadModel(wasm.dir).forward(nested)).equals(bytes(outputs[0])));
});

s('the outputs agree with an independent forward pass (reference kernels, heap memory) to float32 rounding', () => {
  const model = loadModel(wasm.dir);
  const { plan } = wasm;
  const params = new Float32Array(plan.paramCount);
  for (const p of plan.params) params.set(model.tensors()[p.name].data, p.offset);
  const chain = new ChainModel(plan, params, new Float32Array(plan.paramCount), 100, {
    kernels: referenceKernels,
    alloc: heapAllocator,
  });
  const inputs = floatInputs(wasm.dataset.test!.inputs);
  const expected = chain.forward({ shape: [100, 784], data: inputs }).data;
  const actual = model.forward(inputs);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `output ${i}`);
  }
});

s('predict is the arg-max of the outputs; predictProba their softmax, rows summing to 1', () => {
  const model = loadModel(wasm.dir);
  const inputs = floatInputs(wasm.dataset.test!.inputs).subarray(0, 20 * 784);
  const logits = model.forward(inputs);
  const classes = model.predict(inputs);
  const probabilities = model.predictProba(inputs);
  assert.instance(classes, Int32Array);
  for (let i = 0; i < 20; i++) {
    const row = Array.from(logits.subarray(i * 10, (i + 1) * 10));
    assert.is(classes[i], row.indexOf(Math.max(...row)));
    const exps = row.map((x) => Math.exp(x - Math.max(...row)));
    const sum = exps.reduce((a, b) => a + b, 0);
    let total = 0;
    for (let j = 0; j < 10; j++) {
      assert.is(probabilities[i * 10 + j], Math.fround(exps[j] / sum));
      total += probabilities[i * 10 + j];
    }
    assert.ok(Math.abs(total - 1) < 1e-6);
  }
});

s('confusionOf, from the trainer’s parameters, counts what evaluate counts', () => {
  const params = new Float32Array(wasm.plan.paramCount);
  for (const p of wasm.plan.params) params.set(wasm.result.weights[p.name].data, p.offset);
  const confusion = confusionOf({ plan: wasm.plan, params, split: wasm.dataset.test! });
  assert.equal(confusion, classified(loadModel(wasm.dir).evaluate(wasm.dataset)).confusion);
  const trace = confusion.matrix.reduce((sum, row, i) => sum + row[i], 0);
  assert.is(trace / 100, wasm.result.metrics.at(-1)!.testAccuracy);
});

s('rows of the wrong length or with a non-finite value are UserErrors naming the row', async () => {
  const model = loadModel(wasm.dir);
  assert.match(
    (await userErrorOf(() => model.predict([[1, 2, 3]]))).message,
    'row 0 has 3 values; the model takes 784',
  );
  const nan = new Float32Array(2 * 784);
  nan[784 + 5] = Number.NaN;
  assert.match(
    (await userErrorOf(() => model.predict(nan))).message,
    'NaN is not a finite number → at rows[789] (row 1)',
  );
  assert.match((await userErrorOf(() => model.predict(new Float32Array(785)))).message, 'not whole rows of 784');
  const labels = await userErrorOf(() => model.evaluate({ rows: [Array(784).fill(0)], labels: [10] }));
  assert.match(labels.message, 'label 10 is not a class index from 0 to 9 → at labels[0]');
});

s.run();
