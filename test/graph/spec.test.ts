import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';
import { parseGraphSpec } from '../../src/graph/load.ts';

const s = suite('graph spec validation names the node at fault');

const base = { inputs: { a: 1, b: 2, v: [1, 2] }, output: 'n' };

/** The UserError message for a spec with these nodes (and optional overrides). */
function problem(nodes: unknown[], overrides: Record<string, unknown> = {}): string {
  try {
    parseGraphSpec({ ...base, nodes, ...overrides });
  } catch (error) {
    assert.instance(error, UserError);
    return (error as UserError).message;
  }
  assert.unreachable('expected the spec to be rejected');
  return '';
}

s('an unknown op names the node and lists the ops', () => {
  const message = problem([{ name: 'n', op: 'pow', in: ['a', 'b'] }]);
  assert.match(
    message,
    /^✖ node "n": Invalid option: expected one of "mul"\|"add"\|"relu"\|"sigmoid"\|"tanh" → at nodes\[0\]\.op$/,
  );
});

s('a wrong number of inputs names the node and the arity', () => {
  assert.match(
    problem([{ name: 'n', op: 'relu', in: ['a', 'b'] }]),
    /✖ node "n": relu takes 1 input, got 2 → at nodes\[0\]\.in/,
  );
  assert.match(
    problem([{ name: 'n', op: 'add', in: ['a'] }]),
    /✖ node "n": add takes 2 inputs, got 1 → at nodes\[0\]\.in/,
  );
});

s('a missing name or field is reported with its path', () => {
  assert.match(
    problem([{ op: 'add', in: ['a', 'b'] }]),
    /✖ node 0: Invalid input: expected string, received undefined → at nodes\[0\]\.name/,
  );
  assert.match(problem([{ name: 'n', op: 'add', in: ['a', 'b'] }], { output: undefined }), /→ at output/);
});

s('a duplicate node name, or a node named like an input, is refused', () => {
  const twice = problem([
    { name: 'n', op: 'add', in: ['a', 'b'] },
    { name: 'n', op: 'mul', in: ['a', 'b'] },
  ]);
  assert.match(twice, /✖ node "n": the name is already used by node 0 → at nodes\[1\]\.name/);
  assert.match(
    problem([{ name: 'a', op: 'add', in: ['a', 'b'] }]),
    /✖ node "a": the name is already used by an input → at nodes\[0\]\.name/,
  );
});

s('a reference to an undefined name names the node and the name', () => {
  assert.match(
    problem([{ name: 'n', op: 'add', in: ['a', 'ghost'] }]),
    /✖ node "n": "ghost" is not an input or a node → at nodes\[0\]\.in\[1\]/,
  );
});

s('a cycle is shown in data-flow order', () => {
  const message = problem([
    { name: 'n', op: 'relu', in: ['m'] },
    { name: 'm', op: 'add', in: ['n', 'a'] },
  ]);
  assert.match(message, /✖ node "n" is on a cycle: n → m → n → at nodes\[0\]\.in/);
  assert.match(problem([{ name: 'n', op: 'relu', in: ['n'] }]), /cycle: n → n/);
});

s('inputs of different shapes name the node and both shapes', () => {
  assert.match(
    problem([{ name: 'n', op: 'mul', in: ['a', 'v'] }]),
    /✖ node "n": shapes differ: "a" is a scalar but "v" is \[2\] → at nodes\[0\]\.in/,
  );
});

s('ragged or empty input arrays are refused', () => {
  assert.match(
    problem([], { inputs: { x: [[1, 2], [3]] }, output: 'x' }),
    /✖ input "x": not one shape: element 0 is \[2\] but element 1 is \[1\] → at inputs\.x/,
  );
  assert.match(problem([], { inputs: { x: [] }, output: 'x' }), /✖ input "x": arrays must not be empty/);
  assert.match(
    problem([], { inputs: { x: [1, 'two'] }, output: 'x' }),
    /✖ expected a number or a \(nested\) array of numbers → at inputs\.x/,
  );
});

s('an output that is not defined is refused', () => {
  assert.match(
    problem([{ name: 'n', op: 'add', in: ['a', 'b'] }], { output: 'nope' }),
    /✖ output "nope" is not an input or a node → at output/,
  );
});

s('unknown top-level fields are refused (a typo would otherwise be ignored)', () => {
  assert.match(problem([{ name: 'n', op: 'add', in: ['a', 'b'] }], { ouptut: 'n' }), /ouptut/);
});

s('a valid spec passes, and one line is printed per problem', () => {
  assert.ok(parseGraphSpec({ ...base, nodes: [{ name: 'n', op: 'add', in: ['a', 'b'] }] }));
  const message = problem([{ name: 'a', op: 'add', in: ['a', 'ghost'] }], { output: 'nope' });
  assert.is(message.split('\n').length, 3);
  assert.ok(message.split('\n').every((line) => line.startsWith('✖ ')));
});

s.run();
