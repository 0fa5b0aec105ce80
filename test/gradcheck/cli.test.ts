import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('npm run gradcheck (child process)');

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'shardprop-gradcheck-'));

function gradcheck(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/gradcheck.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

function scratchFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

for (const file of [
  'data/configs/gradcheck-chain.json',
  'test/gradcheck/fixtures/mse-chain.json',
  'data/graphs/apple-orange.json',
  'data/graphs/relu-sigmoid.json',
]) {
  s(`${file}: a table of max relative errors, exit 0`, () => {
    const { status, stdout, stderr } = gradcheck(file);
    assert.is(status, 0, stderr);
    assert.match(stdout, /^tensor\s+size\s+max rel error/);
    assert.match(stdout, /\nok: max relative error \S+ ≤ tolerance 0\.001\n$/);
    assert.not.match(stdout, /FAIL/);
  });
}

s('lists every parameter tensor of a model config', () => {
  const { stdout } = gradcheck('data/configs/gradcheck-chain.json');
  for (const name of [
    'layers.0.weight',
    'layers.0.bias',
    'layers.1.scale',
    'layers.2.bias',
    'layers.7.gamma',
    'layers.7.beta',
    'layers.14.weight',
    'layers.14.bias',
  ]) {
    assert.match(stdout, new RegExp(`\\n${name.replaceAll('.', '\\.')}\\s`));
  }
});

s('--tolerance 0: the float32 backprop is not exact, so the check fails with exit 1', () => {
  const { status, stdout } = gradcheck('data/configs/gradcheck-chain.json', '--tolerance', '0');
  assert.is(status, 1);
  assert.match(stdout, /\nFAIL: max relative error \S+ > tolerance 0\n$/);
});

s('bad input exits 2 with a ✖ line: missing file, invalid JSON, bad model, bad spec, bad tolerance', () => {
  const cases: Array<[string[], RegExp]> = [
    [['no/such.json'], /✖ file not found → at no\/such\.json/],
    [[scratchFile('broken.json', '{"model": ')], /✖ file is not valid JSON/],
    [[scratchFile('model.json', '{"model": {"layers": [{"type": "conv"}]}}')], /✖ .* → at model\.layers\[0\]\.type/],
    [
      [
        scratchFile(
          'spec.json',
          '{"inputs": {"a": 1}, "nodes": [{"name": "n", "op": "exp", "in": ["a"]}], "output": "n"}',
        ),
      ],
      /✖ node "n": Invalid option/,
    ],
    [
      ['data/graphs/apple-orange.json', '--tolerance', 'lots'],
      /✖ tolerance must be a number ≥ 0, got "lots" → at --tolerance/,
    ],
    [[], /✖ expected one file, got 0/],
  ];
  for (const [args, expected] of cases) {
    const { status, stdout, stderr } = gradcheck(...args);
    assert.is(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.is(stdout, '');
    assert.match(stderr, expected);
    assert.not.match(stderr, /\n\s+at /);
  }
});

s.run();
