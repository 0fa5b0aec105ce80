import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train, type TrainResult } from '../../src/index.ts';
import {
  KERNELS,
  assertSameWeights,
  maxAbsDiff,
  mnistConfig,
  spiralConfig,
  weightBytes,
  withTimeout,
} from './helpers.ts';

/**
 * DESIGN.md's promise: the chunks decide the arithmetic, the workers only the speed. The same config
 * with 1, 2, 3 or 8 threads gives bitwise identical weights; so do two runs of one config.
 */
const s = suite('determinism');
const run = (config: Parameters<typeof train>[0]): Promise<TrainResult> =>
  withTimeout(train(config, { write: false }), 60_000, 'train');

for (const kernels of KERNELS) {
  s(`${kernels}: mnist 784-64-10, workers 1, 2, 3 and 8 give byte-identical weights`, async () => {
    const one = await run(mnistConfig({ kernels, workers: 1 }));
    assert.is(one.summary.workers, 1);
    for (const workers of [2, 3, 8]) {
      const other = await run(mnistConfig({ kernels, workers }));
      assert.is(other.summary.workers, workers);
      assertSameWeights(other.weights, one.weights, `workers ${workers} vs 1`);
      // The metrics come from the same per-chunk sums, reduced in chunk order: identical too.
      assert.equal(
        other.metrics.map((m) => [m.loss, m.trainAccuracy, m.testAccuracy]),
        one.metrics.map((m) => [m.loss, m.trainAccuracy, m.testAccuracy]),
      );
    }
  });

  s(`${kernels}: spiral with a short last batch, workers 1, 2 and 3 give byte-identical weights`, async () => {
    const one = await run(spiralConfig({ kernels, workers: 1 }));
    for (const workers of [2, 3])
      assertSameWeights(
        (await run(spiralConfig({ kernels, workers }))).weights,
        one.weights,
        `workers ${workers} vs 1`,
      );
  });

  s(`${kernels}: two runs of one config are byte-identical`, async () => {
    const a = await run(spiralConfig({ kernels, workers: 2 }));
    const b = await run(spiralConfig({ kernels, workers: 2 }));
    assertSameWeights(a.weights, b.weights, 'second run');
  });

  s(`${kernels}: another seed gives other weights`, async () => {
    const a = await run(spiralConfig({ kernels, seed: 7 }));
    const b = await run(spiralConfig({ kernels, seed: 8 }));
    assert.not.ok(weightBytes(a.weights).equals(weightBytes(b.weights)));
    assert.ok(
      maxAbsDiff(a.weights, b.weights) > 0.01,
      `seeds 7 and 8 differ by only ${maxAbsDiff(a.weights, b.weights)}`,
    );
  });

  s(
    `${kernels}: chunks change the rounding, not the result; for any chunk count the workers do not matter`,
    async () => {
      const four = await run(spiralConfig({ kernels, chunks: 4 }));
      for (const chunks of [1, 7, 32]) {
        const a = await run(spiralConfig({ kernels, chunks, workers: 1 }));
        const b = await run(spiralConfig({ kernels, chunks, workers: 3 }));
        assertSameWeights(b.weights, a.weights, `chunks ${chunks}, workers 3 vs 1`);
        // Two epochs of float32 sums in another order: agreement to a few ulps of the weights' scale.
        const diff = maxAbsDiff(a.weights, four.weights);
        assert.ok(diff < 1e-4, `chunks ${chunks} vs 4 differ by ${diff}`);
        assert.ok(
          Math.abs(a.metrics[1].loss - four.metrics[1].loss) < 1e-5,
          `loss ${a.metrics[1].loss} vs ${four.metrics[1].loss}`,
        );
      }
    },
  );
}

s('reference and wasm kernels agree to float32 rounding', async () => {
  const ref = await run(mnistConfig({ kernels: 'reference' }));
  const wasm = await run(mnistConfig({ kernels: 'wasm' }));
  const diff = maxAbsDiff(ref.weights, wasm.weights);
  assert.ok(diff < 1e-4, `reference vs wasm differ by ${diff}`);
});

s.run();
