import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { floatInputs } from '../../src/data/inputs.ts';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as evalMain } from '../../src/cli/eval.ts';
import { main as predictMain } from '../../src/cli/predict.ts';
import { readConfusion } from '../../src/report/confusion.ts';
import { loadModel } from '../../src/index.ts';
import { memoryIo, mnistConfig, runScript, tempDir, trainRun, type TrainedRun } from './helpers.ts';

/** Train → eval → predict on the bundled digits: the commands repeat what training measured. */
const s = suite('train, eval, predict');
const root = tempDir();
let run: TrainedRun;
let testCsv: string;
let labels: number[];

async function command(main: typeof evalMain, ...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

s.before(async () => {
  run = await trainRun(mnistConfig(), join(root, 'mnist'));
  // The test split as a CSV a user would have: the label first, then 784 pixels (as the package gives them).
  const test = run.dataset.test!;
  labels = Array.from(test.targets);
  const lines = [['label', ...Array.from({ length: 784 }, (_, j) => `p${j}`)].join(',')];
  for (let i = 0; i < test.count; i++)
    lines.push([labels[i], ...floatInputs(test.inputs).subarray(i * 784, (i + 1) * 784)].join(','));
  testCsv = join(root, 'test.csv.gz');
  writeFileSync(testCsv, gzipSync(lines.join('\n') + '\n'));
});

s('eval on the run’s test split prints the last epoch’s testLoss and testAccuracy, to the bit', async () => {
  const last = run.result.metrics.at(-1)!;
  const { code, out, err } = await command(evalMain, run.dir, '--json');
  assert.is(err, '');
  assert.is(code, 0);
  const result = JSON.parse(out);
  assert.is(result.count, 100);
  assert.ok(Object.is(result.loss, last.testLoss), `${result.loss} vs ${last.testLoss}`);
  assert.is(result.accuracy, last.testAccuracy);
  assert.is(result.perClass.length, 10);
});

s('predict on the same rows from a CSV gives the classes training counted right', async () => {
  const last = run.result.metrics.at(-1)!;
  const { code, out } = await command(predictMain, run.dir, testCsv, '--probabilities');
  assert.is(code, 0);
  const lines = out.trim().split('\n');
  assert.is(lines.length, 101);
  const classes = lines.slice(1).map((line) => Number(line.split(',')[0]));
  const correct = classes.filter((c, i) => c === labels[i]).length;
  assert.is(correct / 100, last.testAccuracy);
  // The printed probabilities are predictProba's float32 values, read back exactly.
  const probabilities = loadModel(run.dir).predictProba(floatInputs(run.dataset.test!.inputs));
  lines.slice(1).forEach((line, i) => {
    const printed = line.split(',').slice(1).map(Number);
    assert.equal(printed.map(Math.fround), Array.from(probabilities.subarray(i * 10, (i + 1) * 10)), `row ${i}`);
  });
});

s('eval --data on that CSV counts the same; --write makes a confusion.json the report reads', async () => {
  const fromFile = JSON.parse((await command(evalMain, run.dir, '--data', testCsv, '--json')).out);
  const { code, out } = await command(evalMain, run.dir, '--write');
  assert.is(code, 0);
  assert.match(out, 'accuracy  ');
  assert.match(out, 'confusion matrix (rows: true class, columns: predicted class)');
  const confusion = readConfusion(join(run.dir, 'confusion.json'));
  assert.equal(confusion, fromFile.confusion);
  assert.equal(confusion.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const trace = confusion.matrix.reduce((sum, row, i) => sum + row[i], 0);
  assert.is(trace / 100, run.result.metrics.at(-1)!.testAccuracy);
  assert.equal(
    confusion.matrix.map((row) => row.reduce((a, b) => a + b, 0)),
    Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length),
    'each row sums to the rows of its class',
  );
});

s('spawned: npm run eval', async () => {
  const result = await runScript('eval', [run.dir, '--json']);
  assert.is(result.stderr, '');
  assert.is(result.code, 0);
  assert.ok(Object.is(JSON.parse(result.stdout).loss, run.result.metrics.at(-1)!.testLoss));
  assert.match(readFileSync(join(run.dir, 'model.json'), 'utf8'), '"layout": "in,out"');
});

s.run();
