import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/graph/engine.ts';
import { parseGraphSpec } from '../../src/graph/load.ts';
import { runGraph } from '../../src/graph/result.ts';

const s = suite('apple-orange graph (data/graphs/apple-orange.json)');

const spec = parseGraphSpec(
  JSON.parse(readFileSync(new URL('../../data/graphs/apple-orange.json', import.meta.url), 'utf8')),
);
const result = runGraph(new Graph(spec));
const near = (actual: unknown, expected: number) =>
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= 1e-6 * Math.abs(expected),
    `got ${actual}, expected ${expected}`,
  );

// price = (apple·appleCount + orange·orangeCount)·tax = (200 + 450)·1.1 = 715
s('forward: 200 + 450 = 650, times tax 1.1 = 715', () => {
  near(result.values.applePrice, 200);
  near(result.values.orangePrice, 450);
  near(result.values.total, 650);
  near(result.output, 715);
});

// d price / d apple = appleCount·tax = 2.2, d/d appleCount = apple·tax = 110,
// d/d orange = orangeCount·tax = 3.3, d/d orangeCount = orange·tax = 165, d/d tax = total = 650.
s('backward: apple 2.2, appleCount 110, orange 3.3, orangeCount 165, tax 650', () => {
  near(result.gradients.apple, 2.2);
  near(result.gradients.appleCount, 110);
  near(result.gradients.orange, 3.3);
  near(result.gradients.orangeCount, 165);
  near(result.gradients.tax, 650);
  near(result.gradients.total, 1.1);
  assert.is(result.gradients.price, 1);
});

s('every input and node has a value and a gradient', () => {
  const names = ['apple', 'appleCount', 'orange', 'orangeCount', 'tax', 'applePrice', 'orangePrice', 'total', 'price'];
  assert.equal(Object.keys(result.values), names);
  assert.equal(Object.keys(result.gradients), names);
});

s.run();
