import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train, type TrainResult } from '../../src/index.ts';
import { KERNELS, assertSameWeights, withTimeout, type KernelKind } from './helpers.ts';

/**
 * The determinism promise for image models: conv2d (first layer: no dx; second: dx through
 * col2im), maxpool with its argmax, avgpool and flatten, on MNIST digits as [1, 28, 28] images.
 * 1, 2 and 3 threads must give byte-identical weights and metrics.
 */
const s = suite('determinism of a conv + pool model');
const run = (config: Parameters<typeof train>[0]): Promise<TrainResult> =>
  withTimeout(train(config, { write: false }), 90_000, 'train');

const convConfig = (kernels: KernelKind, workers: number): RunConfigInput => ({
  name: 'conv-test',
  seed: 5,
  data: { source: 'mnist', train: 150, test: 30 },
  model: {
    layers: [
      { type: 'conv2d', filters: 4, kernel: 5 },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'conv2d', filters: 6, kernel: [3, 2], stride: 2, padding: 1 },
      { type: 'relu' },
      { type: 'avgpool', size: 2, stride: 1 },
      { type: 'flatten' },
      { type: 'affine', units: 10 },
    ],
  },
  train: { epochs: 2, batchSize: 50, optimizer: { type: 'sgd', learningRate: 0.05 } },
  parallel: { workers, chunks: 6, kernels },
});

for (const kernels of KERNELS) {
  s(`${kernels}: workers 1, 2 and 3 give byte-identical weights and metrics`, async () => {
    const one = await run(convConfig(kernels, 1));
    const [first, last] = [one.metrics[0], one.metrics.at(-1)!];
    assert.ok(last.loss < first.loss, `the loss did not fall: ${first.loss} → ${last.loss}`);
    for (const workers of [2, 3]) {
      const other = await run(convConfig(kernels, workers));
      assert.is(other.summary.workers, workers);
      assertSameWeights(other.weights, one.weights, `workers ${workers} vs 1`);
      assert.equal(
        other.metrics.map((m) => [m.loss, m.trainAccuracy, m.testAccuracy]),
        one.metrics.map((m) => [m.loss, m.trainAccuracy, m.testAccuracy]),
      );
    }
  });
}

s.run();
