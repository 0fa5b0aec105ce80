import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Gelu } from '../../src/layers/gelu.ts';
import { backwardKeepsDout, close, context, t } from './helpers.ts';

const s = suite('GELU, exact and tanh-approximated, by hand');

// Φ(1) = 0.8413447460685429, Φ(−1) = 1 − Φ(1) = 0.15865525393145707, φ(1) = e^{−½}/√(2π) = 0.24197072451914337
// (values of the normal distribution, from Python's math.erfc and math.exp).
// y = x·Φ(x): GELU(0) = 0, GELU(1) = Φ(1), GELU(−1) = −Φ(−1).
// dy/dx = Φ(x) + x·φ(x): at 0 it is ½; at 1, Φ(1) + φ(1) = 1.0833154705876864;
// at −1, Φ(−1) − φ(1) = −0.08331547058768629.
s("exact GELU (PyTorch's default): y = x·Φ(x), dy/dx = Φ(x) + x·φ(x)", () => {
  const gelu = new Gelu(3, context);
  assert.is(gelu.approximate, 'none');
  close(gelu.forward(t([3], [0, 1, -1])).data, [0, 0.8413447460685429, -0.15865525393145707]);
  const [dx] = backwardKeepsDout((d) => gelu.backward(d), t([3], [1, 2, -3]));
  close(dx.data, [0.5, 2 * 1.0833154705876864, -3 * -0.08331547058768629]);
});

// u = √(2/π)·(x + 0.044715x³); at x = ±1, u = ±0.8335565..., tanh u = ±0.6823840...:
// y(1) = ½(1 + tanh u) = 0.8411919906082768, y(−1) = −½(1 − tanh u) = −0.15880800939172324;
// dy/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²) = 1.0829640838457826 at 1, −0.08296408384578255 at −1.
s("tanh GELU (approximate: 'tanh'): its own values, close to the exact ones", () => {
  const gelu = new Gelu(3, context, 'tanh');
  close(gelu.forward(t([3], [0, 1, -1])).data, [0, 0.8411919906082768, -0.15880800939172324]);
  const [dx] = backwardKeepsDout((d) => gelu.backward(d), t([3], [1, 1, 1]));
  close(dx.data, [0.5, 1.0829640838457826, -0.08296408384578255]);
});

s('the two forms differ by less than 1e-3 over [−6, 6], and both tend to relu in the tails', () => {
  const x = t(
    [121],
    Array.from({ length: 121 }, (_, i) => -6 + i / 10),
  );
  const exact = Array.from(new Gelu(121, context).forward(x).data);
  const approx = Array.from(new Gelu(121, context, 'tanh').forward(x).data);
  exact.forEach((y, i) => assert.ok(Math.abs(y - approx[i]) < 1e-3, `x = ${x.data[i]}: ${y} vs ${approx[i]}`));
  close(new Gelu(2, context).forward(t([2], [-20, 20])).data, [0, 20]);
  close(new Gelu(2, context, 'tanh').forward(t([2], [-20, 20])).data, [0, 20]);
});

s('backward before forward throws', () => {
  assert.throws(() => new Gelu(2, context).backward(t([2], [1, 1])), /Gelu.backward called before forward/);
});

s.run();
