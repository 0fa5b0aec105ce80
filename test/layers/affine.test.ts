import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Affine } from '../../src/layers/affine.ts';
import { param } from '../../src/layers/layer.ts';
import { heapAllocator } from '../../src/tensor.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('Affine layer, by hand');

/** x·W + b with W = [[1, 0, −1], [2, 1, 0]] (2 inputs → 3 units) and b = [0.5, 0, −0.5]. */
function affine(inputGradient = true): Affine {
  const weight = param('weight', [2, 3], heapAllocator);
  const bias = param('bias', [3], heapAllocator);
  weight.value.set([1, 0, -1, 2, 1, 0]);
  bias.value.set([0.5, 0, -0.5]);
  return new Affine(2, 3, weight, bias, 4, context, inputGradient);
}

const x = () => t([2, 2], [1, 2, 3, 4]);
const dout = () => t([2, 3], [1, 0, 2, 0, 1, -1]);

// x = [[1, 2], [3, 4]]:
//   row 0: 1·[1, 0, −1] + 2·[2, 1, 0] = [5, 2, −1],  + b = [5.5, 2, −1.5]
//   row 1: 3·[1, 0, −1] + 4·[2, 1, 0] = [11, 4, −3], + b = [11.5, 4, −3.5]
s('forward gives x·W + b', () => {
  const y = affine().forward(x());
  assert.equal(y.shape, [2, 3]);
  close(y.data, [5.5, 2, -1.5, 11.5, 4, -3.5]);
});

// dout = [[1, 0, 2], [0, 1, −1]]:
//   dW = xᵀ·dout: row 0 = 1·[1, 0, 2] + 3·[0, 1, −1] = [1, 3, −1]; row 1 = 2·[1, 0, 2] + 4·[0, 1, −1] = [2, 4, 0]
//   db = Σ_rows dout = [1, 1, 1]
//   dx = dout·Wᵀ: row 0 = [1·1 + 0·0 + 2·(−1), 1·2 + 0·1 + 2·0] = [−1, 2]
//                 row 1 = [0·1 + 1·0 + (−1)·(−1), 0·2 + 1·1 + (−1)·0] = [1, 1]
s('backward gives dW = xᵀ·dout, db = Σ dout, dx = dout·Wᵀ', () => {
  const layer = affine();
  layer.forward(x());
  const [dx] = backwardKeepsDout((d) => layer.backward(d), dout());
  close(layer.weight.grad, [1, 3, -1, 2, 4, 0]);
  close(layer.bias.grad, [1, 1, 1]);
  assert.equal(dx.shape, [2, 2]);
  close(dx.data, [-1, 2, 1, 1]);
});

s('with inputGradient = false, backward returns [] and still writes dW and db', () => {
  const layer = affine(false);
  layer.forward(x());
  assert.equal(layer.backward(dout()), []);
  close(layer.weight.grad, [1, 3, -1, 2, 4, 0]);
  close(layer.bias.grad, [1, 1, 1]);
});

s('backward overwrites the parameter gradients rather than adding to them', () => {
  const layer = affine();
  layer.forward(x());
  layer.backward(dout());
  layer.backward(dout());
  close(layer.bias.grad, [1, 1, 1]);
});

s('forward refuses rows of the wrong width', () => {
  assert.throws(() => affine().forward(t([1, 3], [1, 2, 3])), /expected 2 inputs/);
});

s('backward before forward throws', () => {
  assert.throws(() => affine().backward(dout()), /Affine.backward called before forward/);
});

s.run();
