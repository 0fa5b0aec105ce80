/**
 * Train → eval → predict on the bundled CSV examples (data/configs/iris.json: class names;
 * data/configs/regression.json: two regression targets), in-process: eval repeats the last
 * epoch's test metrics to the bit (the forward pass is training's), predict turns raw rows into
 * exactly training's inputs and prints their outputs bit for bit, and class names show everywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as evalMain } from '../../src/cli/eval.ts';
import { main as predictMain } from '../../src/cli/predict.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadModel, train } from '../../src/index.ts';
import { readConfusion } from '../../src/report/confusion.ts';
import { memoryIo, repoRoot, tempDir, trainRun, type TrainedRun } from './helpers.ts';
import { floatInputs } from '../../src/data/inputs.ts';

const s = suite('bundled csv examples');
const root = tempDir();
let iris: TrainedRun;
let regression: TrainedRun;

/** A bundled config with its data path made absolute and `epochs` epochs. */
function bundled(name: string, epochs: number): RunConfigInput {
  const config = JSON.parse(readFileSync(join(repoRoot, 'data/configs', `${name}.json`), 'utf8'));
  config.data.path = join(repoRoot, config.data.path);
  config.train.epochs = epochs;
  return config;
}

async function command(main: typeof evalMain, ...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

s.before(async () => {
  iris = await trainRun(bundled('iris', 15), join(root, 'iris'));
  regression = await trainRun(bundled('regression', 8), join(root, 'regression'));
});

s('iris: class names in model.json, confusion.json, eval and predict; eval repeats the test metrics', async () => {
  const names = ['setosa', 'versicolor', 'virginica'];
  assert.equal(loadModel(iris.dir).description.classes, names);
  assert.equal(readConfusion(join(iris.dir, 'confusion.json')).classes, names);
  const last = iris.result.metrics.at(-1)!;
  assert.ok(last.testAccuracy! > 0.8, `test accuracy ${last.testAccuracy}`);
  const result = JSON.parse((await command(evalMain, iris.dir, '--json')).out);
  assert.ok(Object.is(result.loss, last.testLoss), `${result.loss} vs ${last.testLoss}`);
  assert.is(result.accuracy, last.testAccuracy);
  assert.equal(result.confusion.classes, names);
  const text = (await command(evalMain, iris.dir)).out;
  assert.match(text, /\nversicolor +\d+ +\d+ +\d+\n/);
  // predict on the whole file (the species column dropped): one name per row.
  const predicted = await command(predictMain, iris.dir, join(repoRoot, 'data/iris.csv'));
  assert.is(predicted.code, 0);
  const lines = predicted.out.trim().split('\n');
  assert.is(lines.length, 151);
  assert.is(lines[0], 'class');
  assert.ok(lines.slice(1).every((name) => names.includes(name)));
  const right = lines.slice(1).filter((name, i) => name === names[Math.floor(i / 50)]).length;
  assert.ok(right > 120, `${right} of 150 right`);
});

s('iris: predict --probabilities heads its columns with the names; an unseen label is named by file:line', async () => {
  const rows = join(root, 'iris-new.csv');
  writeFileSync(
    rows,
    'sepal_length,sepal_width,petal_length,petal_width,species\n5,3.4,1.5,0.2,setosa\n6,3,5,2,virginca\n',
  );
  const probabilities = (await command(predictMain, iris.dir, rows, '--probabilities')).out.split('\n')[0];
  assert.is(probabilities, 'class,p_setosa,p_versicolor,p_virginica');
  const bad = await command(evalMain, iris.dir, '--data', rows);
  assert.is(bad.code, 2);
  assert.is(bad.out, '');
  assert.match(bad.err, `✖ label "virginca" is not one of setosa, versicolor, virginica → at ${rows}:3`);
});

s(
  'regression: eval repeats testLoss, testMse, testMae and testR2 to the bit; predict writes both targets',
  async () => {
    const last = regression.result.metrics.at(-1)!;
    assert.ok(last.testR2! > 0.5, `test R² ${last.testR2}`);
    assert.is(last.trainAccuracy, undefined);
    const result = JSON.parse((await command(evalMain, regression.dir, '--json')).out);
    for (const [mine, theirs] of [
      ['loss', 'testLoss'],
      ['mse', 'testMse'],
      ['mae', 'testMae'],
      ['r2', 'testR2'],
    ] as const) {
      assert.ok(Object.is(result[mine], last[theirs]), `${mine} ${result[mine]} vs ${theirs} ${last[theirs]}`);
    }
    assert.equal(
      result.perTarget.map((t: { target: string }) => t.target),
      ['y', 'z'],
    );
    const summary = JSON.parse(readFileSync(join(regression.dir, 'summary.json'), 'utf8'));
    assert.is(summary.testR2, last.testR2);
    assert.is(summary.testAccuracy, null);
  },
);

s(
  'predict: the raw file through the stored preprocessing gives training’s inputs, and their outputs bit for bit',
  async () => {
    const model = loadModel(regression.dir);
    // The whole file as the trainer saw it: training rows are the seeded split of these, preprocessed.
    const out = await command(predictMain, regression.dir, join(repoRoot, 'data/regression.csv'));
    const lines = out.out.trim().split('\n');
    assert.is(lines[0], 'y,z');
    assert.is(lines.length, 1001);
    const printed = Float32Array.from(lines.slice(1).flatMap((line) => line.split(',').map(Number)));
    // The same rows, preprocessed by training (dataset.train + dataset.test hold all 1000 rows, permuted).
    const { train: trainSplit, test } = regression.dataset;
    const fromTraining = model.engine(1000);
    const all = new Float32Array(1000 * 3);
    all.set(floatInputs(trainSplit.inputs));
    all.set(floatInputs(test!.inputs), floatInputs(trainSplit.inputs).length);
    fromTraining.inputOf(1000).set(all);
    const outputs = fromTraining.forward(1000).data;
    const byRow = new Map<string, string>();
    for (let i = 0; i < 1000; i++) {
      const key = bits(all.subarray(i * 3, i * 3 + 3)).toString('hex');
      byRow.set(key, bits(outputs.subarray(i * 2, i * 2 + 2)).toString('hex'));
    }
    const raw = readFileSync(join(repoRoot, 'data/regression.csv'), 'utf8').trim().split('\n').slice(1);
    raw.forEach((line, i) => {
      const input = model.prepare(line.split(',').slice(0, 3).map(Number), 1);
      const key = bits(input).toString('hex');
      assert.ok(byRow.has(key), `row ${i}: predict's preprocessed input is not one of training's inputs`);
      assert.is(bits(printed.subarray(i * 2, i * 2 + 2)).toString('hex'), byRow.get(key), `row ${i}`);
    });
  },
);

s('regression: byte-identical weights at 1 and 2 workers', async () => {
  const config = { ...bundled('regression', 2), parallel: { workers: 2, chunks: 4 } };
  const two = await train(config, { write: false });
  const one = await train({ ...config, parallel: { workers: 1, chunks: 4 } }, { write: false });
  for (const name of Object.keys(one.weights)) {
    assert.ok(bits(one.weights[name].data).equals(bits(two.weights[name].data)), name);
  }
  const scores = (m: (typeof one.metrics)[number]) => [m.loss, m.trainMse, m.trainMae, m.trainR2, m.testMse, m.testR2];
  assert.equal(two.metrics.map(scores), one.metrics.map(scores));
});

s('a regressor needs the mse loss and one output per target, and refuses data.validation for now', async () => {
  const base = bundled('regression', 1);
  const refused = async (config: RunConfigInput, text: string) => {
    const error = await train(config, { write: false }).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(error, `${text}: no error`);
    assert.match(error!.message, text);
  };
  await refused({ ...base, model: { ...base.model, loss: 'softmax-cross-entropy' } }, '→ at model.loss');
  const layers = [{ type: 'affine' as const, units: 3 }];
  await refused({ ...base, model: { ...base.model, layers } }, '2 target columns (y, z)');
  await refused({ ...base, data: { ...base.data, validation: 0.1 } } as RunConfigInput, '→ at data.validation');
});

s.run();
