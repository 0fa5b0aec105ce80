import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { param } from '../../src/layers/layer.ts';
import { Bias, Scale } from '../../src/layers/scale-bias.ts';
import { heapAllocator } from '../../src/tensor.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('Scale and Bias layers, by hand');

function scale(): Scale {
  const p = param('scale', [2], heapAllocator);
  p.value.set([2, -1]);
  return new Scale(2, p, 4, context);
}

function bias(): Bias {
  const p = param('bias', [2], heapAllocator);
  p.value.set([1, -1]);
  return new Bias(2, p, 4, context);
}

// s = [2, −1], x = [[1, 2], [3, 4]]: y = x ⊙ s = [[2, −2], [6, −4]].
// dout = [[1, 1], [2, 0.5]]: dx = dout ⊙ s = [[2, −1], [4, −0.5]];
// ds = Σ_rows dout ⊙ x = [1·1 + 2·3, 1·2 + 0.5·4] = [7, 4].
s('Scale multiplies each feature and sums ds over rows', () => {
  const layer = scale();
  close(layer.forward(t([2, 2], [1, 2, 3, 4])).data, [2, -2, 6, -4]);
  const [dx] = backwardKeepsDout((d) => layer.backward(d), t([2, 2], [1, 1, 2, 0.5]));
  close(dx.data, [2, -1, 4, -0.5]);
  close(layer.scale.grad, [7, 4]);
});

// b = [1, −1], x = [[1, 2], [3, 4]]: y = [[2, 1], [4, 3]].
// dout = [[1, 2], [3, 4]]: dx = dout; db = Σ_rows dout = [4, 6].
s('Bias adds each feature, passes dout through and sums db over rows', () => {
  const layer = bias();
  close(layer.forward(t([2, 2], [1, 2, 3, 4])).data, [2, 1, 4, 3]);
  const [dx] = backwardKeepsDout((d) => layer.backward(d), t([2, 2], [1, 2, 3, 4]));
  close(dx.data, [1, 2, 3, 4]);
  close(layer.bias.grad, [4, 6]);
});

s('parameter gradients are overwritten on every backward, not accumulated', () => {
  const layer = scale();
  layer.forward(t([2, 2], [1, 2, 3, 4]));
  layer.backward(t([2, 2], [1, 1, 2, 0.5]));
  layer.backward(t([2, 2], [1, 1, 2, 0.5]));
  close(layer.scale.grad, [7, 4]);
});

s('backward before forward throws', () => {
  assert.throws(() => scale().backward(t([1, 2], [1, 1])), /Scale.backward called before forward/);
  assert.throws(() => bias().backward(t([1, 2], [1, 1])), /Bias.backward called before forward/);
});

s.run();
