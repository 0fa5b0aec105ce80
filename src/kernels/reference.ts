import { fillDropoutMask } from '../random/dropout-mask.ts';
import { windowReferenceKernels } from './reference-window.ts';
import type { Kernels } from './types.ts';

/**
 * Plain TypeScript kernels: the reference every faster kernel is tested against. Written for
 * clarity first, with the i-k-j loop order so the inner loop walks memory contiguously.
 */
export const referenceKernels: Kernels = {
  name: 'reference',

  matmul(a, b, out, m, k, n) {
    out.fill(0, 0, m * n);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        for (let j = 0; j < n; j++) out[i * n + j] += aip * b[p * n + j];
      }
    }
  },

  matmulAT(a, b, out, m, k, n) {
    out.fill(0, 0, k * n);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        for (let j = 0; j < n; j++) out[p * n + j] += aip * b[i * n + j];
      }
    }
  },

  matmulBT(a, b, out, m, n, k) {
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += a[i * n + j] * b[p * n + j];
        out[i * k + p] = sum;
      }
    }
  },

  addRow(out, row, m, n) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] += row[j];
  },

  sumRows(a, out, m, n) {
    out.fill(0, 0, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j] += a[i * n + j];
  },

  reluForward(x, y, len) {
    for (let i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : 0;
  },
  reluBackward(x, dout, dx, len) {
    for (let i = 0; i < len; i++) dx[i] = x[i] > 0 ? dout[i] : 0;
  },
  sigmoidForward(x, y, len) {
    for (let i = 0; i < len; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
  },
  sigmoidBackward(y, dout, dx, len) {
    for (let i = 0; i < len; i++) dx[i] = dout[i] * y[i] * (1 - y[i]);
  },
  tanhForward(x, y, len) {
    for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]);
  },
  tanhBackward(y, dout, dx, len) {
    for (let i = 0; i < len; i++) dx[i] = dout[i] * (1 - y[i] * y[i]);
  },

  softmaxCrossEntropy(logits, targets, dlogits, m, n) {
    let lossSum = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, logits[row + j]);
      let sumExp = 0;
      for (let j = 0; j < n; j++) sumExp += Math.exp(logits[row + j] - max);
      const logSumExp = max + Math.log(sumExp);
      const target = targets[i];
      lossSum += logSumExp - logits[row + target];
      for (let j = 0; j < n; j++) {
        dlogits[row + j] = Math.exp(logits[row + j] - logSumExp) - (j === target ? 1 : 0);
      }
    }
    return lossSum;
  },
  softmaxCrossEntropyDense(logits, targets, dlogits, m, n) {
    let lossSum = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let max = -Infinity;
      let mass = 0;
      for (let j = 0; j < n; j++) {
        max = Math.max(max, logits[row + j]);
        mass += targets[row + j];
      }
      let sumExp = 0;
      for (let j = 0; j < n; j++) sumExp += Math.exp(logits[row + j] - max);
      const logSumExp = max + Math.log(sumExp);
      for (let j = 0; j < n; j++) {
        const t = targets[row + j];
        lossSum += t * (logSumExp - logits[row + j]);
        dlogits[row + j] = mass * Math.exp(logits[row + j] - logSumExp) - t;
      }
    }
    return lossSum;
  },
  softmaxCrossEntropyWeighted(logits, targets, weights, dlogits, m, n) {
    let lossSum = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, logits[row + j]);
      let sumExp = 0;
      for (let j = 0; j < n; j++) sumExp += Math.exp(logits[row + j] - max);
      const logSumExp = max + Math.log(sumExp);
      const target = targets[i];
      const weight = weights[target];
      lossSum += weight * (logSumExp - logits[row + target]);
      for (let j = 0; j < n; j++) {
        dlogits[row + j] = weight * (Math.exp(logits[row + j] - logSumExp) - (j === target ? 1 : 0));
      }
    }
    return lossSum;
  },
  softmaxCrossEntropyDenseWeighted(logits, targets, weights, dlogits, m, n) {
    let lossSum = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let max = -Infinity;
      let mass = 0;
      for (let j = 0; j < n; j++) {
        max = Math.max(max, logits[row + j]);
        mass += weights[j] * targets[row + j];
      }
      let sumExp = 0;
      for (let j = 0; j < n; j++) sumExp += Math.exp(logits[row + j] - max);
      const logSumExp = max + Math.log(sumExp);
      for (let j = 0; j < n; j++) {
        const t = weights[j] * targets[row + j];
        lossSum += t * (logSumExp - logits[row + j]);
        dlogits[row + j] = mass * Math.exp(logits[row + j] - logSumExp) - t;
      }
    }
    return lossSum;
  },

  reduceSlots(slots, out, len, scale) {
    let finite = true;
    for (let i = 0; i < len; i++) {
      let sum = 0;
      for (const slot of slots) sum += slot[i];
      out[i] = sum * scale;
      if (!Number.isFinite(out[i])) finite = false;
    }
    return finite;
  },

  gatherRows(source, order, first, rows, width, out) {
    for (let r = 0; r < rows; r++) {
      const from = order[first + r] * width;
      for (let j = 0; j < width; j++) out[r * width + j] = source[from + j];
    }
  },

  gatherByteRows(source, values, order, first, rows, width, out) {
    for (let r = 0; r < rows; r++) {
      const from = (order ? order[first + r] : first + r) * width;
      for (let j = 0; j < width; j++) out[r * width + j] = values[source[from + j]];
    }
  },

  dropoutMask(mask, rows, units, rate, seed, step, layer, samples, first) {
    fillDropoutMask(mask, rows, units, rate, { seed, step, layer }, samples, first);
  },

  ...windowReferenceKernels,

  sgd(w, g, len, lr, weightDecay, wOut = w) {
    for (let i = 0; i < len; i++) wOut[i] = w[i] - lr * (g[i] + weightDecay * w[i]);
  },
  momentum(w, g, v, len, lr, mu, weightDecay, wOut = w, vOut = v) {
    for (let i = 0; i < len; i++) {
      const velocity = mu * v[i] - lr * (g[i] + weightDecay * w[i]);
      vOut[i] = velocity;
      wOut[i] = w[i] + Math.fround(velocity);
    }
  },
  adagrad(w, g, h, len, lr, eps, weightDecay, wOut = w, hOut = h) {
    for (let i = 0; i < len; i++) {
      const grad = g[i] + weightDecay * w[i];
      const sum = Math.fround(h[i] + grad * grad);
      hOut[i] = sum;
      wOut[i] = w[i] - (lr * grad) / (Math.sqrt(sum) + eps);
    }
  },
  adam(w, g, m, v, len, lr, beta1, beta2, eps, weightDecay, t, wOut = w, mOut = m, vOut = v) {
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    for (let i = 0; i < len; i++) {
      const grad = g[i] + weightDecay * w[i];
      const first = Math.fround(beta1 * m[i] + (1 - beta1) * grad);
      const second = Math.fround(beta2 * v[i] + (1 - beta2) * grad * grad);
      mOut[i] = first;
      vOut[i] = second;
      wOut[i] = w[i] - (lr * (first / correction1)) / (Math.sqrt(second / correction2) + eps);
    }
  },
};
