import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Dropout } from '../../src/layers/dropout.ts';
import type { ForwardMode, TrainingPass } from '../../src/layers/layer.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('Dropout: inverted in training, the identity in evaluation');

const samples = Uint32Array.from({ length: 64 }, (_, i) => 1000 + 3 * i);
const pass = (step: number, first = 0): TrainingPass => ({ seed: 9, step, samples, first });

function dropout(rate: number, layer = 2, rows = 8): { layer: Dropout; mode: ForwardMode } {
  const mode: ForwardMode = { pass: null };
  return { layer: new Dropout(6, rate, layer, rows, context, mode), mode };
}

const ones = (rows: number) => t([rows, 6], new Array(rows * 6).fill(1));
const counting = (rows: number) =>
  t(
    [rows, 6],
    Array.from({ length: rows * 6 }, (_, i) => i + 1),
  );

s('evaluation (no training pass): y = x and dx = dout, whatever the rate', () => {
  const { layer } = dropout(0.9);
  const x = counting(2);
  close(layer.forward(x).data, Array.from(x.data));
  const [dx] = backwardKeepsDout((d) => layer.backward(d), counting(2));
  close(dx.data, Array.from(x.data));
});

// Rate ½: every unit is 0 or 1/(1 − ½) = 2. With x = 1 the output IS the mask m, and dx = dout ⊙ m.
s('training at rate ½: each output is 0 or 2x, and backward multiplies dout by the same factors', () => {
  const { layer, mode } = dropout(0.5);
  mode.pass = pass(0);
  const mask = Array.from(layer.forward(ones(8)).data);
  assert.ok(
    mask.every((m) => m === 0 || m === 2),
    `mask ${mask}`,
  );
  const dropped = mask.filter((m) => m === 0).length;
  assert.ok(dropped > 0 && dropped < 48, `${dropped} of 48 dropped`);
  const y = layer.forward(counting(8)).data;
  y.forEach((v, i) => assert.is(v, (i + 1) * mask[i]));
  const [dx] = backwardKeepsDout((d) => layer.backward(d), counting(8));
  dx.data.forEach((v, i) => assert.is(v, (i + 1) * mask[i]));
});

s('rate 0.2: kept units are scaled by 1.25', () => {
  const { layer, mode } = dropout(0.2);
  mode.pass = pass(0);
  const y = Array.from(layer.forward(ones(8)).data);
  assert.ok(y.every((v) => v === 0 || v === 1.25));
  assert.ok(y.includes(1.25) && y.includes(0));
});

s('a chunk of rows [first, first + rows) gets the rows of the whole batch: the mask follows the sample', () => {
  const whole = dropout(0.5);
  whole.mode.pass = pass(3);
  const full = Array.from(whole.layer.forward(ones(8)).data);
  for (const [first, rows] of [
    [0, 3],
    [3, 5],
    [7, 1],
  ]) {
    const part = dropout(0.5);
    part.mode.pass = pass(3, first);
    const y = Array.from(part.layer.forward(ones(rows)).data);
    assert.equal(y, full.slice(first * 6, (first + rows) * 6), `rows ${first}..${first + rows - 1}`);
  }
});

s('another step or another layer index draws another mask', () => {
  const a = dropout(0.5, 2);
  a.mode.pass = pass(0);
  const base = Array.from(a.layer.forward(ones(8)).data);
  a.mode.pass = pass(1);
  assert.not.equal(Array.from(a.layer.forward(ones(8)).data), base);
  const b = dropout(0.5, 5);
  b.mode.pass = pass(0);
  assert.not.equal(Array.from(b.layer.forward(ones(8)).data), base);
});

s('rate 0 in training is the identity; a bad rate, a bad width or backward first throws', () => {
  const { layer, mode } = dropout(0);
  mode.pass = pass(0);
  close(layer.forward(counting(2)).data, Array.from(counting(2).data));
  assert.throws(() => dropout(1), /Dropout: rate 1 is outside \[0, 1\)/);
  const other = dropout(0.5);
  other.mode.pass = pass(0);
  assert.throws(() => other.layer.forward(t([2, 3], [1, 2, 3, 4, 5, 6])), /expected 6 units per row/);
  assert.throws(() => dropout(0.5).layer.backward(ones(1)), /Dropout.backward called before forward/);
});

s.run();
