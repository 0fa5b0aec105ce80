import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('npm run graph (child process)');

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'shardprop-graph-'));

function graph(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/graph.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status, stdout, stderr };
}

/** Writes `text` to a scratch file and runs the CLI on it. */
function graphOf(name: string, text: string) {
  const path = join(scratch, `${name}.json`);
  writeFileSync(path, text);
  return graph(path);
}

const spec = (nodes: unknown[], extra: object = {}) =>
  JSON.stringify({ inputs: { a: 1, b: 2, v: [1, 2] }, nodes, output: 'n', ...extra });

s('prints exactly one JSON object with the apple-orange numbers, exit 0', () => {
  const { status, stdout, stderr } = graph('data/graphs/apple-orange.json');
  assert.is(status, 0, stderr);
  assert.is(stderr, '');
  assert.is(stdout.trim().split('\n').length, 1);
  const result = JSON.parse(stdout);
  assert.equal(Object.keys(result), ['output', 'values', 'gradients']);
  assert.is(result.output, 715);
  assert.equal(
    [result.gradients.apple, result.gradients.appleCount, result.gradients.orangeCount, result.gradients.tax],
    [2.2, 110, 165, 650],
  );
  assert.ok(Math.abs(result.gradients.orange - 3.3) < 1e-6);
});

s('runs the shipped relu-sigmoid spec and keeps arrays as arrays', () => {
  const { status, stdout } = graph('data/graphs/relu-sigmoid.json', '--format', 'json');
  assert.is(status, 0);
  const result = JSON.parse(stdout);
  assert.is(result.output.length, 3);
  assert.is(result.gradients.x[0], 0); // relu cut x[0]'s path
});

const malformed: Array<[string, string, RegExp]> = [
  [
    'unknown op',
    spec([{ name: 'n', op: 'pow', in: ['a', 'b'] }]),
    /✖ node "n": Invalid option: .* → at nodes\[0\]\.op/,
  ],
  [
    'missing input name',
    spec([{ name: 'n', op: 'mul', in: ['a', 'missing'] }]),
    /✖ node "n": "missing" is not an input or a node → at nodes\[0\]\.in\[1\]/,
  ],
  [
    'duplicate name',
    spec([
      { name: 'n', op: 'mul', in: ['a', 'b'] },
      { name: 'n', op: 'add', in: ['a', 'b'] },
    ]),
    /✖ node "n": the name is already used by node 0 → at nodes\[1\]\.name/,
  ],
  [
    'cycle',
    spec([
      { name: 'n', op: 'relu', in: ['m'] },
      { name: 'm', op: 'sigmoid', in: ['n'] },
    ]),
    /✖ node "n" is on a cycle: n → m → n/,
  ],
  [
    'shape mismatch',
    spec([{ name: 'n', op: 'add', in: ['a', 'v'] }]),
    /✖ node "n": shapes differ: "a" is a scalar but "v" is \[2\]/,
  ],
  ['wrong arity', spec([{ name: 'n', op: 'sigmoid', in: [] }]), /✖ node "n": sigmoid takes 1 input, got 0/],
  [
    'undefined output',
    spec([{ name: 'n', op: 'add', in: ['a', 'b'] }], { output: 'nope' }),
    /✖ output "nope" is not an input or a node → at output/,
  ],
  ['invalid JSON', '{ "inputs": ', /✖ file is not valid JSON: .* → at .*invalid JSON\.json/],
  ['not an object', '[1, 2]', /✖ Invalid input: expected object, received array/],
];

for (const [name, text, expected] of malformed) {
  s(`${name}: exit 2, a ✖ line on stderr, nothing on stdout, no stack trace`, () => {
    const { status, stdout, stderr } = graphOf(name, text);
    assert.is(status, 2);
    assert.is(stdout, '');
    assert.match(stderr, expected);
    assert.ok(
      stderr
        .split('\n')
        .filter(Boolean)
        .every((line) => line.startsWith('✖')),
      stderr,
    );
    assert.not.match(stderr, /\n\s+at /);
  });
}

s('a missing file: exit 2 naming the file', () => {
  const { status, stderr } = graph('no/such/spec.json');
  assert.is(status, 2);
  assert.match(stderr, /✖ file not found → at no\/such\/spec\.json/);
});

s('a bad flag or format: exit 2 with usage', () => {
  assert.is(graph('data/graphs/apple-orange.json', '--format', 'png').status, 2);
  assert.match(graph('data/graphs/apple-orange.json', '--bogus').stderr, /usage: npm run graph/);
  assert.match(graph().stderr, /expected one spec file, got 0/);
});

s('--format mermaid labels each edge with value<br/>gradient', () => {
  const { status, stdout } = graph('data/graphs/apple-orange.json', '--format', 'mermaid');
  assert.is(status, 0);
  assert.match(stdout, /^flowchart LR\n/);
  assert.match(stdout, /n0\["apple"\]/);
  assert.match(stdout, /n0 -->\|"100<br\/>2\.2"\| n5/); // apple → applePrice: 100 forward, 2.2 back
  assert.match(stdout, /n4 -->\|"1\.1<br\/>650"\| n8/); // tax → price
  assert.match(stdout, /n8 -->\|"715<br\/>1"\| out/);
});

s('--format dot labels each edge with value\\ngradient', () => {
  const { status, stdout } = graph('data/graphs/apple-orange.json', '--format', 'dot');
  assert.is(status, 0);
  assert.match(stdout, /^digraph G \{\n/);
  assert.match(stdout, /n0 -> n5 \[label="100\\n2\.2"\];/);
  assert.match(stdout, /n1 -> n5 \[label="2\\n110"\];/);
  assert.match(stdout, /n8 -> out \[label="715\\n1"\];/);
  assert.match(stdout, /\}\n$/);
});

s('a value read twice gets two edges, each with its own share of the gradient', () => {
  const path = join(scratch, 'square.json');
  writeFileSync(
    path,
    JSON.stringify({ inputs: { x: 3 }, nodes: [{ name: 'y', op: 'mul', in: ['x', 'x'] }], output: 'y' }),
  );
  const { stdout } = graph(path, '--format', 'dot');
  assert.is(stdout.match(/n0 -> n1 \[label="3\\n3"\];/g)?.length, 2); // 3 + 3 = 2x = 6 in total
  assert.is(JSON.parse(graph(path).stdout).gradients.x, 6);
});

s.run();
