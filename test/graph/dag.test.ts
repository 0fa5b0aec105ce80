import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/graph/engine.ts';
import { parseGraphSpec } from '../../src/graph/load.ts';
import { runGraph } from '../../src/graph/result.ts';

const s = suite('graph engine: fan-out, repeated inputs, order, shapes');

const run = (spec: unknown) => runGraph(new Graph(parseGraphSpec(spec)));
const near = (actual: unknown, expected: number[]) => {
  const values = (Array.isArray(actual) ? actual.flat(Infinity) : [actual]) as number[];
  assert.is(values.length, expected.length);
  values.forEach((v, i) =>
    assert.ok(
      Math.abs(v - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])),
      `[${i}] got ${v}, expected ${expected[i]}`,
    ),
  );
};

// mul(x, x) with x = [3, −2]: z = x² = [9, 4], and dz/dx = 2x = [6, −4]: both input slots send x back.
s('mul(x, x) has gradient 2x', () => {
  const result = run({ inputs: { x: [3, -2] }, nodes: [{ name: 'z', op: 'mul', in: ['x', 'x'] }], output: 'z' });
  near(result.output, [9, 4]);
  near(result.gradients.x, [6, -4]);
});

// x = 3, y = −2;  sq = x·x = 9;  s = sq + x = 12;  p = s·y = −24;  out = p + sq = −15.
// out = (x² + x)·y + x², so by hand:
//   d out/d p = 1, d out/d s = y = −2, d out/d sq = 1 (direct) + d out/d s · 1 = 1 − 2 = −1,
//   d out/d y = s = 12, d out/d x = d sq · 2x + d s · 1 = −1·6 − 2 = −8  (= (2x + 1)·y + 2x).
s('fan-out and a repeated input accumulate: x feeds sq twice and s once; sq feeds s and out', () => {
  const result = run({
    inputs: { x: 3, y: -2 },
    nodes: [
      { name: 'sq', op: 'mul', in: ['x', 'x'] },
      { name: 's', op: 'add', in: ['sq', 'x'] },
      { name: 'p', op: 'mul', in: ['s', 'y'] },
      { name: 'out', op: 'add', in: ['p', 'sq'] },
    ],
    output: 'out',
  });
  near(result.output, [-15]);
  near(result.gradients.p, [1]);
  near(result.gradients.s, [-2]);
  near(result.gradients.sq, [-1]);
  near(result.gradients.y, [12]);
  near(result.gradients.x, [-8]);
});

// x = [0, 2]: r = relu(x) = [0, 2], g = σ(x) = [½, σ(2)], out = r·g.
// d out/d x = relu'(x)·g + r·σ'(x) = [0·½ + 0·¼, 1·σ(2) + 2·σ(2)(1 − σ(2))]  (relu'(0) = 0).
s("relu and sigmoid on a fanned-out array, with relu's derivative 0 at x = 0", () => {
  const sig2 = 1 / (1 + Math.exp(-2));
  const result = run({
    inputs: { x: [0, 2] },
    nodes: [
      { name: 'r', op: 'relu', in: ['x'] },
      { name: 'g', op: 'sigmoid', in: ['x'] },
      { name: 'out', op: 'mul', in: ['r', 'g'] },
    ],
    output: 'out',
  });
  near(result.output, [0, 2 * sig2]);
  near(result.gradients.x, [0, sig2 + 2 * sig2 * (1 - sig2)]);
});

// tanh(x) with x = [[0, ln 2]]: [[0, 0.6]]; d/dx = 1 − y² = [[1, 0.64]], still 1×2.
s('nested arrays keep their shape in values and gradients', () => {
  const result = run({ inputs: { x: [[0, Math.log(2)]] }, nodes: [{ name: 't', op: 'tanh', in: ['x'] }], output: 't' });
  assert.is((result.gradients.x as unknown[]).length, 1);
  near(result.values.t, [0, 0.6]);
  near(result.gradients.x, [1, 0.64]);
});

s('nodes may be listed before the nodes they read', () => {
  const result = run({
    inputs: { a: 2, b: 5 },
    nodes: [
      { name: 'late', op: 'mul', in: ['early', 'b'] },
      { name: 'early', op: 'add', in: ['a', 'a'] },
    ],
    output: 'late',
  });
  near(result.output, [20]);
  near(result.gradients.a, [10]);
});

// out = a·b is the output; c = out + a reads it but is not upstream of the output: gradient 0.
s('nodes downstream of the output get gradient 0 and add nothing', () => {
  const result = run({
    inputs: { a: 2, b: 5 },
    nodes: [
      { name: 'out', op: 'mul', in: ['a', 'b'] },
      { name: 'c', op: 'add', in: ['out', 'a'] },
    ],
    output: 'out',
  });
  near(result.gradients.c, [0]);
  near(result.gradients.a, [5]);
  near(result.values.c, [12]);
});

s('running a graph twice gives the same gradients (they are reset, not added across runs)', () => {
  const graph = new Graph(
    parseGraphSpec({ inputs: { x: 3 }, nodes: [{ name: 'z', op: 'mul', in: ['x', 'x'] }], output: 'z' }),
  );
  runGraph(graph);
  near(runGraph(graph).gradients.x, [6]);
});

// x + x + … (a chain of 20 000 adds, each reading the previous sum and x) listed backwards:
// out = 20 001·x, d out/d x = 20 001. Sorting must not recurse once per node.
s('a long chain listed backwards is sorted without overflowing the stack', () => {
  const n = 20_000;
  const nodes = Array.from({ length: n }, (_, i) => ({
    name: `s${i}`,
    op: 'add',
    in: [i === 0 ? 'x' : `s${i - 1}`, 'x'],
  })).reverse();
  const result = run({ inputs: { x: 1 }, nodes, output: `s${n - 1}` });
  near(result.output, [n + 1]);
  near(result.gradients.x, [n + 1]);
});

s.run();
