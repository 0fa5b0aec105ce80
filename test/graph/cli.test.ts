import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/graph.ts';
import { assertBadInput, runMain, runNode } from '../support/cli.ts';
import { tempDir, writeTemp } from '../support/temp.ts';

/** `npm run graph` through its main(argv, io) in this process; one smoke test as a child process. */
const s = suite('npm run graph');
const scratch = tempDir('shardprop-graph-');

const graph = (...args: string[]) => runMain(main, args);

/** Writes `text` to a scratch file and runs the command on it. */
const graphOf = (name: string, text: string) => graph(writeTemp(scratch, `${name}.json`, text));

const spec = (nodes: unknown[], extra: object = {}) =>
  JSON.stringify({ inputs: { a: 1, b: 2, v: [1, 2] }, nodes, output: 'n', ...extra });

s('smoke, as a child process: one JSON object with the apple-orange numbers, exit 0', async () => {
  const { code, stdout, stderr } = await runNode(['src/cli/graph.ts', 'data/graphs/apple-orange.json']);
  assert.is(code, 0, stderr);
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

s('runs the shipped relu-sigmoid spec and keeps arrays as arrays', async () => {
  const { code, stdout } = await graph('data/graphs/relu-sigmoid.json', '--format', 'json');
  assert.is(code, 0);
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
  s(`${name}: exit 2, ✖ lines on stderr, nothing on stdout, no stack trace`, async () => {
    assertBadInput(await graphOf(name, text), expected);
  });
}

s('a missing file: exit 2 naming the file', async () => {
  assertBadInput(await graph('no/such/spec.json'), 'file not found', 'no/such/spec.json');
});

s('a bad flag, format or file count: exit 2 naming the flag, with the usage', async () => {
  const spec = 'data/graphs/apple-orange.json';
  assertBadInput(
    await graph(spec, '--format', 'png'),
    '--format must be one of json, mermaid, dot, got "png"',
    '--format',
  );
  assertBadInput(
    await graph(spec, '--formt', 'dot'),
    /unknown flag \(did you mean --format\?\)[^\n]*\n✖ usage: npm run graph/,
    '--formt',
  );
  assertBadInput(await graph(spec, '--format'), '--format needs a value', '--format');
  assertBadInput(await graph(), /expected 1 spec file, got 0/);
  assertBadInput(await graph(spec, spec), /expected 1 spec file, got 2/);
});

s('--help prints the usage and the formats, exit 0', async () => {
  const { code, stdout, stderr } = await graph('--help');
  assert.is(code, 0);
  assert.is(stderr, '');
  assert.match(
    stdout,
    /^usage: npm run graph -- <spec\.json> \[--format json\|mermaid\|dot\] \[--precision f32\|f64\]\n/,
  );
  assert.match(stdout, /--format FORMAT +json, mermaid or dot \(default json\)/);
});

s('a spec path relative to INIT_CWD (npm run from a subdirectory)', async () => {
  const sub = join(scratch, 'sub');
  mkdirSync(sub);
  writeTemp(
    sub,
    'x.json',
    JSON.stringify({ inputs: { x: 3 }, nodes: [{ name: 'y', op: 'relu', in: ['x'] }], output: 'y' }),
  );
  const { code, stdout, stderr } = await runMain(main, ['x.json'], { env: { INIT_CWD: sub } });
  assert.is(code, 0, stderr);
  assert.is(JSON.parse(stdout).output, 3);
});

s('--format mermaid: a solid edge with the value, a dotted red one with the gradient, and a legend', async () => {
  const { code, stdout } = await graph('data/graphs/apple-orange.json', '--format', 'mermaid');
  assert.is(code, 0);
  assert.match(stdout, /^flowchart LR\n/);
  assert.match(stdout, /n0\["apple"\]/);
  assert.match(stdout, /n5\(\("×"\)\)/, 'an op is a circle holding its symbol');
  assert.match(stdout, /n0 -->\|"100"\| n5\n {2}n0 -\.-\|"← 2\.2"\| n5/); // apple → applePrice: 100 forward, 2.2 back
  assert.match(stdout, /n4 -->\|"1\.1"\| n8\n {2}n4 -\.-\|"← 650"\| n8/); // tax → price
  assert.match(stdout, /n5 -->\|"applePrice = 200"\| n7/, 'the op name goes with its value');
  assert.match(stdout, /n8 -->\|"price = 715"\| out\n {2}n8 -\.-\|"← 1"\| out/);
  assert.match(stdout, /subgraph legend \[legend\][^]*"forward: value"[^]*"← backward: gradient"[^]*end/);
  // 9 pairs of edges and the legend's 2: the gradients are links 1, 3, …, 17 and 19.
  assert.match(stdout, /linkStyle 1,3,5,7,9,11,13,15,17,19 stroke:#d62728,color:#d62728/);
});

s('--format dot: value edges, gradient edges dashed, red and pointing back, ops of one size, a legend', async () => {
  const { code, stdout } = await graph('data/graphs/apple-orange.json', '--format', 'dot');
  assert.is(code, 0);
  assert.match(stdout, /^digraph G \{\n/);
  const back = 'dir=back, style=dashed, color="#d62728", fontcolor="#d62728"';
  assert.ok(stdout.includes(`n0 -> n5 [label="100"];\n  n0 -> n5 [label="2.2", ${back}];`));
  assert.ok(stdout.includes(`n1 -> n5 [label="2"];\n  n1 -> n5 [label="110", ${back}];`));
  assert.ok(stdout.includes(`n8 -> out [label="price = 715"];\n  n8 -> out [label="1", ${back}];`));
  const ops = stdout.match(/\[label="[×+]", shape=circle, width=0\.55, fixedsize=true, fontsize=16\]/g);
  assert.is(ops?.length, 4, 'every op the same fixed circle');
  assert.is(stdout.match(/shape=box, width=1\.3, height=0\.45, fixedsize=true/g)?.length, 6, 'inputs and output');
  assert.match(stdout, /subgraph cluster_legend \{[^]*forward: value[^]*backward: gradient/);
  assert.match(stdout, /\}\n$/);
});

s('--precision f64 reproduces the float64 textbook numbers; f32 prints what float32 computes', async () => {
  const f32 = JSON.parse((await graph('data/graphs/apple-orange.json')).stdout);
  // tax 1.1 in float32 is 1.10000002384; times 3, rounded to float32: 3.3000001907, shortest 3.3000002.
  assert.is(f32.gradients.orange, 3.3000002);
  assert.is(Math.fround(3.3000002), Math.fround(3 * Math.fround(1.1)));
  const f64 = JSON.parse((await graph('data/graphs/apple-orange.json', '--precision', 'f64')).stdout);
  // Deep Learning from Scratch §5.4 prints these (NumPy float64); the same products in JavaScript:
  assert.is(f64.output, (100 * 2 + 150 * 3) * 1.1);
  assert.is(f64.output, 715.0000000000001);
  assert.is(f64.gradients.apple, 1.1 * 2);
  assert.is(f64.gradients.appleCount, 1.1 * 100);
  assert.is(f64.gradients.appleCount, 110.00000000000001);
  assert.is(f64.gradients.orange, 1.1 * 3);
  assert.is(f64.gradients.orange, 3.3000000000000003);
  assert.is(f64.gradients.orangeCount, 1.1 * 150);
  assert.is(f64.gradients.tax, 650);
  const dot = (await graph('data/graphs/apple-orange.json', '--precision', 'f64', '--format', 'dot')).stdout;
  assert.match(dot, /label="3\.3000000000000003"/);
  assertBadInput(
    await graph('data/graphs/apple-orange.json', '--precision', 'f16'),
    /--precision must be one of f32, f64/,
  );
});

s('a value read twice gets two edges, each with its own share of the gradient', async () => {
  const path = writeTemp(
    scratch,
    'square.json',
    JSON.stringify({ inputs: { x: 3 }, nodes: [{ name: 'y', op: 'mul', in: ['x', 'x'] }], output: 'y' }),
  );
  const { stdout } = await graph(path, '--format', 'dot');
  // Each reading of x sends back 3: 3 + 3 = 2x = 6 in total.
  assert.is(stdout.match(/n0 -> n1 \[label="3", dir=back/g)?.length, 2);
  assert.is(JSON.parse((await graph(path)).stdout).gradients.x, 6);
});

s.run();
