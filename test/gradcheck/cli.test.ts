import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/gradcheck.ts';
import { assertBadInput, runMain, runNode } from '../support/cli.ts';
import { tempDir, writeTemp } from '../support/temp.ts';

/** `npm run gradcheck` through its main(argv, io) in this process; one smoke test as a child process. */
const s = suite('npm run gradcheck');
const scratch = tempDir('shardprop-gradcheck-');

const gradcheck = (...args: string[]) => runMain(main, args);

s('smoke, as a child process: the bundled chain config passes with a table, exit 0', async () => {
  const { code, stdout, stderr } = await runNode(['src/cli/gradcheck.ts', 'data/configs/gradcheck-chain.json']);
  assert.is(code, 0, stderr);
  assert.is(stderr, '');
  assert.match(stdout, /^tensor\s+size\s+max rel error/);
  assert.match(stdout, /\nok: max relative error \S+ ≤ tolerance 0\.001\n$/);
  assert.not.match(stdout, /FAIL/);
});

for (const file of [
  'test/gradcheck/fixtures/mse-chain.json',
  'data/graphs/apple-orange.json',
  'data/graphs/relu-sigmoid.json',
]) {
  s(`${file}: a table of max relative errors, exit 0`, async () => {
    const { code, stdout, stderr } = await gradcheck(file);
    assert.is(code, 0, stderr);
    assert.match(stdout, /^tensor\s+size\s+max rel error/);
    assert.match(stdout, /\nok: max relative error \S+ ≤ tolerance 0\.001\n$/);
    assert.not.match(stdout, /FAIL/);
  });
}

s('lists every parameter tensor of a model config', async () => {
  const { stdout } = await gradcheck('data/configs/gradcheck-chain.json');
  for (const name of [
    'layers.0.weight',
    'layers.0.bias',
    'layers.1.scale',
    'layers.2.bias',
    'layers.5.gamma',
    'layers.5.beta',
    'layers.8.gamma',
    'layers.8.beta',
    'layers.15.weight',
    'layers.15.bias',
  ]) {
    assert.match(stdout, new RegExp(`\\n${name.replaceAll('.', '\\.')}\\s`));
  }
});

s('--tolerance 0: the float32 backprop is not exact, so the check fails with exit 1', async () => {
  const { code, stdout } = await gradcheck('data/configs/gradcheck-chain.json', '--tolerance', '0');
  assert.is(code, 1);
  assert.match(stdout, /\nFAIL: max relative error \S+ > tolerance 0\n$/);
});

const spec = '{"inputs": {"a": 1}, "nodes": [{"name": "n", "op": "exp", "in": ["a"]}], "output": "n"}';
const cnn = [{ type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'affine', units: 2 }];
const bad: Array<[string, string[], RegExp | string, string?]> = [
  ['a missing file', ['no/such.json'], 'file not found', 'no/such.json'],
  ['invalid JSON', [writeTemp(scratch, 'broken.json', '{"model": ')], 'file is not valid JSON'],
  [
    'a bad model',
    [writeTemp(scratch, 'model.json', '{"model": {"layers": [{"type": "conv"}]}}')],
    /✖ .*/,
    'model.layers[0].type',
  ],
  ['a bad spec', [writeTemp(scratch, 'spec.json', spec)], /✖ node "n": Invalid option/],
  [
    'a gradcheck.inputs shape of 2 dimensions',
    [writeTemp(scratch, 'flat2.json', JSON.stringify({ model: { layers: cnn }, gradcheck: { inputs: [12, 10] } }))],
    '✖ a shape is [features] or [channels, height, width]',
    'gradcheck.inputs',
  ],
  [
    'an image model without gradcheck.inputs (its data.shape is the example)',
    [writeTemp(scratch, 'cnn.json', JSON.stringify({ data: { shape: [3, 8, 6] }, model: { layers: cnn } }))],
    "✖ model.layers[1] (maxpool) takes [channels, height, width] images, but the check's random batch is rows " +
      'of 5 features by default: give its per-sample shape, e.g. "gradcheck": {"inputs": [3, 8, 6]}',
    'gradcheck.inputs',
  ],
  [
    '--tolerance lots',
    ['data/graphs/apple-orange.json', '--tolerance', 'lots'],
    'must be a number ≥ 0, got "lots"',
    '--tolerance',
  ],
  ['--tolerance -1', ['data/graphs/apple-orange.json', '--tolerance=-1'], 'got "-1"', '--tolerance'],
  [
    'an unknown flag',
    ['data/graphs/apple-orange.json', '--tolerence', '1'],
    'did you mean --tolerance?',
    '--tolerence',
  ],
  ['no file', [], /✖ expected 1 file, got 0\n✖ usage: npm run gradcheck/],
];
for (const [what, args, expected, at] of bad) {
  s(`bad input, ${what}: exit 2 with ✖ lines, nothing on stdout`, async () => {
    assertBadInput(await gradcheck(...args), expected, at);
  });
}

s('an image model with gradcheck.inputs is checked at that shape', async () => {
  const config = { model: { layers: cnn }, data: { source: 'mnist' }, gradcheck: { inputs: [2, 4, 3] } };
  const { code, stdout, stderr } = await gradcheck(writeTemp(scratch, 'cnn-shaped.json', JSON.stringify(config)));
  assert.is(code, 0, stderr);
  // maxpool 2 of [2, 4, 3] is [2, 2, 1]: the affine takes 4 features.
  assert.match(stdout, /\nlayers\.2\.weight\s+8\s/);
});

s('--help prints the usage and the tolerance flag, exit 0', async () => {
  const { code, stdout } = await gradcheck('--help');
  assert.is(code, 0);
  assert.match(stdout, /^usage: npm run gradcheck -- <graph spec \| model config>/);
  assert.match(stdout, /--tolerance X +the largest relative error that passes \(default 1e-3\)/);
});

s.run();
