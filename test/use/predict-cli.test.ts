import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/predict.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { handMadeRun, memoryIo, runScript, tempDir } from './helpers.ts';

/** `npm run predict`: one CSV line per input row; bad input exits 2 and writes nothing. */
const s = suite('npm run predict');
const root = tempDir();

/** 2 features → affine 2 (W = I, b = [0, 1]): the outputs are the logits [x0, x1 + 1]. */
const config = (loss: 'softmax-cross-entropy' | 'mse' = 'softmax-cross-entropy'): RunConfigInput => ({
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 20 },
  model: { layers: [{ type: 'affine', units: 2 }], loss },
  train: {},
  parallel: { kernels: 'wasm' },
});
const weights = { 'layers.0.weight': [1, 0, 0, 1], 'layers.0.bias': [0, 1] };
const data = { features: 2, classes: 2, train: { inputs: Float32Array.from([-2, 2]) } };
const run = join(root, 'run');
handMadeRun(run, config(), data, weights);
const input = join(root, 'rows.csv');
writeFileSync(input, 'a,b\n3,1\n0,0\n-1,-1.5\n');

async function predict(...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** softmax([a, b]) as predict prints it: shortest decimals of the float32 values. */
function probabilities(a: number, b: number): string {
  const max = Math.max(a, b);
  const [ea, eb] = [Math.exp(a - max), Math.exp(b - max)];
  const shortest = (x: number) => {
    for (let digits = 1; digits < 10; digits++)
      if (Math.fround(Number(x.toPrecision(digits))) === x) return x.toPrecision(digits);
    return String(x);
  };
  return [ea / (ea + eb), eb / (ea + eb)].map((p) => String(Number(shortest(Math.fround(p))))).join(',');
}

s('prints the class of each row: logits [3, 2] → 0, [0, 1] → 1, [−1, −0.5] → 1', async () => {
  const { code, out, err } = await predict(run, input);
  assert.is(err, '');
  assert.is(code, 0);
  assert.is(out, 'class\n0\n1\n1\n');
});

s('--probabilities adds softmax columns', async () => {
  const { code, out } = await predict(run, input, '--probabilities');
  assert.is(code, 0);
  const expected = [
    'class,p_0,p_1',
    `0,${probabilities(3, 2)}`,
    `1,${probabilities(0, 1)}`,
    `1,${probabilities(-1, -0.5)}`,
  ];
  assert.is(out, expected.join('\n') + '\n');
});

s('--out writes the file (whole) and says where; a relative path is the user’s', async () => {
  const { code, out } = await predict(run, 'rows.csv', '--out', 'preds/p.csv');
  assert.is(code, 0);
  assert.is(readFileSync(join(root, 'preds', 'p.csv'), 'utf8'), 'class\n0\n1\n1\n');
  assert.match(out, /predict: 3 rows → .*preds\/p\.csv/);
});

s('bad input: exit 2, file:line, no stack, nothing on stdout, an earlier --out untouched', async () => {
  const bad = join(root, 'bad.csv');
  writeFileSync(bad, '1,2\n3,4\n5,6,7,8\n');
  const out = join(root, 'kept.csv');
  writeFileSync(out, 'earlier\n');
  for (const args of [
    [run, bad],
    [run, bad, '--out', out],
  ]) {
    const result = await predict(...args);
    assert.is(result.code, 2);
    assert.is(result.out, '');
    assert.is(result.err, `✖ 4 columns, the first line has 2 → at ${bad}:3\n`);
  }
  assert.is(readFileSync(out, 'utf8'), 'earlier\n');
  assert.equal(
    (await import('node:fs')).readdirSync(root).filter((name) => name.includes('.tmp-')),
    [],
    'no temporary file left',
  );
  writeFileSync(bad, 'x,y\n1,2\n3,NaN\n');
  assert.is((await predict(run, bad)).err, `✖ column 2 (y): NaN is not a finite number → at ${bad}:3\n`);
  const fresh = join(root, 'fresh.csv');
  assert.is((await predict(run, bad, '--out', fresh)).code, 2);
  assert.not.ok(existsSync(fresh), 'no --out file appears');
  const missing = await predict(run, join(root, 'missing.csv'));
  assert.is(missing.code, 2);
  assert.is(missing.out, '');
  assert.is(missing.err, `✖ input file not found → at ${join(root, 'missing.csv')}\n`);
});

s('flags, help, and a model whose outputs are not logits', async () => {
  const unknown = await predict(run, input, '--probabilitys');
  assert.is(unknown.code, 2);
  assert.match(unknown.err, '✖ unknown flag (did you mean --probabilities?) → at --probabilitys');
  const help = await predict('--help');
  assert.is(help.code, 0);
  assert.match(help.out, 'usage: npm run predict -- <run-dir> <input>');
  assert.is((await predict(run)).code, 2);
  const mse = join(root, 'mse');
  handMadeRun(mse, config('mse'), data, weights);
  const noLogits = await predict(mse, input, '--probabilities');
  assert.is(noLogits.code, 2);
  assert.match(noLogits.err, 'trained with the mse loss: its outputs are not logits');
  assert.is((await predict(mse, input)).out, 'class\n0\n1\n1\n', 'mse classifiers still predict classes');
});

s('inputs far outside the training range: the predictions and a warning', async () => {
  const wide = join(root, 'wide.json');
  writeFileSync(wide, JSON.stringify([[255, 0]]));
  const { code, out, err } = await predict(run, wide);
  assert.is(code, 0);
  assert.is(out, 'class\n0\n');
  assert.match(err, /^warning: the inputs span 0 to 255 .* training inputs spanned -2 to 2/);
});

/** An IDX images file of rows × cols images holding the given pixels, image after image. */
function idxImages(rows: number, cols: number, pixels: number[]): Buffer {
  const header = Buffer.alloc(16);
  [0x803, pixels.length / (rows * cols), rows, cols].forEach((value, i) => header.writeUInt32BE(value, 4 * i));
  return Buffer.concat([header, Buffer.from(pixels)]);
}

s(
  'an image model takes IDX images of its own height and width (not others of as many pixels), and nested JSON',
  async () => {
    // [1, 2, 3] images → flatten → affine 2 with W picking pixel 0 (class 0) and pixel 5 (class 1).
    const image = join(root, 'image');
    const layers = [{ type: 'flatten' as const }, { type: 'affine' as const, units: 2 }];
    const pick = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    handMadeRun(
      image,
      { ...config(), model: { layers } },
      { features: 6, classes: 2 },
      {
        'layers.1.weight': pick,
        'layers.1.bias': [0, 0],
      },
      [1, 2, 3],
    );
    const pixels = [9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 7];
    writeFileSync(join(root, 'right.idx'), idxImages(2, 3, pixels));
    assert.is((await predict(image, 'right.idx')).out, 'class\n0\n1\n');
    writeFileSync(join(root, 'transposed.idx'), idxImages(3, 2, pixels));
    const wrong = await predict(image, 'transposed.idx', '--out', 'transposed.csv');
    assert.is(wrong.code, 2);
    assert.is(wrong.out, '');
    assert.is(wrong.err, `✖ images of 3×2; the model takes 2×3 images → at ${join(root, 'transposed.idx')}\n`);
    assert.not.ok(existsSync(join(root, 'transposed.csv')), 'no --out file appears');
    // The same two images as JSON, nested [channel][row][column] as numpy's tolist() gives them.
    const nested = [
      [
        [9, 0, 0],
        [0, 0, 1],
      ],
      [
        [0, 0, 0],
        [0, 0, 7],
      ],
    ].map((image) => [image]);
    writeFileSync(join(root, 'nested.json'), JSON.stringify(nested));
    assert.is((await predict(image, 'nested.json')).out, 'class\n0\n1\n');
  },
);

s('spawned: npm run predict', async () => {
  const result = await runScript('predict', [run, input, '--probabilities']);
  assert.is(result.stderr, '');
  assert.is(result.code, 0);
  assert.is(result.stdout.split('\n')[0], 'class,p_0,p_1');
});

s.run();
