import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/eval.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadModel } from '../../src/use/load.ts';
import { handMadeRun, memoryIo, tempDir } from './helpers.ts';

/** `npm run eval`: flags, data sources and every way it refuses. */
const s = suite('npm run eval');
const root = tempDir();

/** 2 features → affine 2 with W = [[1, −1], [0, 1]] (in, out), b = 0: class 1 when x1 > 2·x0. */
const config = (testFraction = 0.5): RunConfigInput => ({
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 40, testFraction },
  model: { layers: [{ type: 'affine', units: 2 }] },
  train: {},
  parallel: { kernels: 'wasm' },
});
const weights = { 'layers.0.weight': [1, -1, 0, 1], 'layers.0.bias': [0, 0] };
const data = { features: 2, classes: 2 };
const run = join(root, 'run');
handMadeRun(run, config(), data, weights);
const csv = join(root, 'rows.csv');
// Logits [x0, x1 − x0]: rows 1 and 3 are class 0, row 2 class 1; labels 0, 1, 1 → 2 of 3 right.
writeFileSync(csv, 'x0,x1,label\n3,1,0\n0,2,1\n2,2,1\n');

async function evaluate(...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

s('--data FILE: the rows and labels of a CSV (label column by name)', async () => {
  const { code, out, err } = await evaluate(run, '--data', 'rows.csv', '--label-column', 'label', '--json');
  assert.is(err, '');
  assert.is(code, 0);
  const result = JSON.parse(out);
  assert.equal([result.count, result.correct], [3, 2]);
  assert.equal(result.confusion, {
    classes: ['0', '1'],
    matrix: [
      [1, 0],
      [1, 1],
    ],
  });
  // Mean softmax cross-entropy over the rows, from the logits [3, −2], [0, 2], [2, 0].
  const ce = (logits: number[], label: number) => Math.log(logits.reduce((a, x) => a + Math.exp(x), 0)) - logits[label];
  const loss = (ce([3, -2], 0) + ce([0, 2], 1) + ce([2, 0], 1)) / 3;
  assert.ok(Math.abs(result.loss - loss) < 1e-6, `${result.loss} vs ${loss}`);
});

s('the run’s test split by default, its train split with --split train, and a table without --json', async () => {
  const model = loadModel(run);
  const test = JSON.parse((await evaluate(run, '--json')).out);
  assert.is(test.count, 20);
  const trainSplit = JSON.parse((await evaluate(run, '--split', 'train', '--json')).out);
  assert.is(trainSplit.count, 20);
  assert.match(trainSplit.data, 'the train split of synthetic');
  assert.ok(model.classes.length === 2);
  const { out } = await evaluate(run);
  assert.match(out, /on the test split of .*: 20 rows\nloss {6}\d\.\d{6}\naccuracy {2}\d\.\d{4} \(\d+ \/ 20\)/);
  assert.match(out, 'class      support  precision  recall      f1');
});

s('--data CONFIG: another config’s split, refused when it preprocesses differently or has other features', async () => {
  const sameSplit = join(root, 'data.json');
  writeFileSync(sameSplit, JSON.stringify({ source: 'synthetic', kind: 'xor', n: 40, testFraction: 0.5 }));
  const viaConfig = JSON.parse((await evaluate(run, '--data', sameSplit, '--json')).out);
  const viaRun = JSON.parse((await evaluate(run, '--json')).out);
  assert.equal(viaConfig.confusion, viaRun.confusion, 'a bare data section splits with the run’s seed');
  const divided = join(root, 'divided.json');
  writeFileSync(
    divided,
    JSON.stringify({ source: 'csv', path: csv, labelColumn: 2, testFraction: 0.34, normalize: 10 }),
  );
  const mismatch = await evaluate(run, '--data', divided);
  assert.is(mismatch.code, 2);
  assert.match(mismatch.err, `preprocesses its inputs differently (÷ 10) from the model (none)`);
  const mnist = join(root, 'mnist.json');
  writeFileSync(mnist, JSON.stringify({ source: 'mnist', train: 10, test: 10 }));
  assert.match((await evaluate(run, '--data', mnist)).err, 'gives rows of 784 features; the model takes 2');
});

s(
  '--data with a whole run config splits its data with that config’s seed; an invalid data section is refused',
  async () => {
    const viaRun = JSON.parse((await evaluate(run, '--json')).out);
    const runConfig = (seed: number) => {
      const path = join(root, `run-config-${seed}.json`);
      writeFileSync(path, JSON.stringify({ ...config(), seed }));
      return path;
    };
    const same = JSON.parse((await evaluate(run, '--data', runConfig(1), '--json')).out);
    assert.is(same.data, `the test split of synthetic:xor (from config ${runConfig(1)})`);
    assert.equal(same.confusion, viaRun.confusion, 'seed 1, as the run: the same test rows');
    const other = JSON.parse((await evaluate(run, '--data', runConfig(7), '--json')).out);
    assert.is(other.count, 20);
    assert.not.equal(other.confusion, viaRun.confusion, 'seed 7: other test rows');

    const bad = join(root, 'bad-data.json');
    writeFileSync(bad, JSON.stringify({ source: 'synthetic', kind: 'spirals' }));
    const refused = await evaluate(run, '--data', bad);
    assert.is(refused.code, 2);
    assert.is(refused.out, '');
    assert.is(
      refused.err,
      `✖ invalid data config ${bad}:\n✖ Invalid option: expected one of "xor"|"spiral"|"moons" → at kind\n`,
    );
  },
);

s(
  'refusals: --write off the test split, --labels alone, bad --split, no test split, no config.json, a held lock',
  async () => {
    const cases: [string[], string][] = [
      [[run, '--data', csv, '--write'], "✖ --write records the run's own test split; not with --data → at --data"],
      [[run, '--split', 'train', '--write'], 'not with --split → at --split'],
      [[run, '--labels', csv], '✖ --labels goes with --data IMAGES'],
      [[run, '--split', 'validation'], '✖ --split must be one of test, train, got "validation" → at --split'],
      [[run, '--bogus'], '✖ unknown flag → at --bogus'],
      [[join(root, 'nothing')], 'run directory not found'],
      [[run, '--data', join(root, 'none.csv')], 'input file not found'],
    ];
    for (const [args, message] of cases) {
      const result = await evaluate(...args);
      assert.is(result.code, 2, args.join(' '));
      assert.match(result.err, message);
      assert.not.match(result.err, /\n\s+at /, 'no stack trace');
    }
    const noTest = join(root, 'no-test');
    handMadeRun(noTest, config(0), data, weights);
    assert.match(
      (await evaluate(noTest)).err,
      "holds out no test rows: pass --data FILE or --split train → at the run's config.json",
    );
    rmSync(join(noTest, 'config.json'));
    assert.match((await evaluate(noTest)).err, 'no config.json to re-create the run');
    writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: 1, host: hostname(), started: '2026-01-01T00:00:00Z' }));
    const locked = await evaluate(run, '--write');
    assert.is(locked.code, 2);
    assert.match(locked.err, 'is in use by pid 1');
    assert.not.ok(existsSync(join(run, 'confusion.json')));
    rmSync(join(run, 'run.lock'));
    assert.is((await evaluate(run, '--write')).code, 0);
    assert.ok(existsSync(join(run, 'confusion.json')));
  },
);

s('--data IMAGES or an idx section: other heights and widths are refused; a test file names its split', async () => {
  // [1, 1, 2] images → flatten → the xor run's affine: 1×2 IDX images evaluate, 2×1 ones are refused.
  const image = join(root, 'image');
  const layers = [{ type: 'flatten' as const }, { type: 'affine' as const, units: 2 }];
  handMadeRun(
    image,
    { ...config(), model: { layers } },
    data,
    { 'layers.1.weight': weights['layers.0.weight'], 'layers.1.bias': [0, 0] },
    [1, 1, 2],
  );
  const idx = (magic: number, dims: number[], bytes: number[]) => {
    const header = Buffer.alloc(4 * (dims.length + 1));
    [magic, ...dims].forEach((value, i) => header.writeUInt32BE(value, 4 * i));
    return Buffer.concat([header, Buffer.from(bytes)]);
  };
  // The CSV's rows as images: [3, 1] → class 0, [0, 2] → class 1; labels 0 and 0 → 1 of 2 right.
  writeFileSync(join(root, 'labels.idx'), idx(0x801, [2], [0, 0]));
  writeFileSync(join(root, 'wide.idx'), idx(0x803, [2, 1, 2], [3, 1, 0, 2]));
  const right = await evaluate(image, '--data', 'wide.idx', '--labels', 'labels.idx', '--json');
  assert.is(right.err, '');
  assert.is(JSON.parse(right.out).correct, 1);
  writeFileSync(join(root, 'tall.idx'), idx(0x803, [2, 2, 1], [3, 1, 0, 2]));
  const wrong = await evaluate(image, '--data', 'tall.idx', '--labels', 'labels.idx');
  assert.is(wrong.code, 2);
  assert.is(wrong.out, '');
  assert.is(wrong.err, `✖ images of 2×1; the model takes 1×2 images → at ${join(root, 'tall.idx')}\n`);
  // The same images as --data CONFIG, an idx data section (both rows labelled right): its test row.
  const labels = join(root, 'right-labels.idx');
  writeFileSync(labels, idx(0x801, [2], [0, 1]));
  const section = (images: string) => {
    const path = join(root, `${images}.json`);
    const split = { train: 1, test: 1, normalize: false };
    writeFileSync(path, JSON.stringify({ source: 'idx', images: join(root, images), labels, ...split }));
    return path;
  };
  const viaSection = await evaluate(image, '--data', section('wide.idx'), '--json');
  assert.is(viaSection.err, '');
  assert.is(JSON.parse(viaSection.out).correct, 1);
  // With a test file of its own, the test split is named by that file, not by the training file.
  const withTestFile = join(root, 'with-test-file.json');
  writeFileSync(join(root, 'wide-test.idx'), idx(0x803, [2, 1, 2], [3, 1, 0, 2]));
  const files = { images: join(root, 'wide.idx'), testImages: join(root, 'wide-test.idx'), testLabels: labels };
  writeFileSync(withTestFile, JSON.stringify({ source: 'idx', labels, ...files, normalize: false }));
  const named = JSON.parse((await evaluate(image, '--data', withTestFile, '--json')).out);
  assert.is(named.data, `the test split of idx:wide-test.idx (from data config ${withTestFile})`);
  const tall = await evaluate(image, '--data', section('tall.idx'));
  assert.is(tall.code, 2);
  const name = `data config ${section('tall.idx')}`;
  assert.is(tall.err, `✖ ${name} gives [1, 2, 1] images; the model takes [1, 1, 2] → at ${name}\n`);
});

s.run();
