import { join } from 'node:path';
import { suite } from 'uvu';
import { loadConfig, train, type TrainResult } from '../../src/index.ts';
import { assertSameWeights, repoRoot, withTimeout } from './helpers.ts';

/**
 * The bundled example (784-50-10, batch 100, 4 chunks; 3 epochs here) at 1, 2 and 4 threads:
 * identical weights (asserted) and the speed-up (reported, not asserted: this 2-core machine is
 * noisy and may be running other work). `[report]` lines are echoed by test/run.ts on success.
 */
const s = suite('throughput');
const example = loadConfig(join(repoRoot, 'data/configs/mnist-mlp.json'));

for (const kernels of ['wasm', 'reference'] as const) {
  s(`${kernels}: the example at 1, 2 and 4 threads gives identical weights; samples/s reported`, async () => {
    const config = {
      ...example,
      data: { source: 'mnist' as const, train: kernels === 'wasm' ? 8000 : 2000, test: 100 },
      train: { ...example.train, epochs: 3 },
      parallel: { ...example.parallel, kernels },
    };
    const rows: string[] = [];
    let first: TrainResult | null = null;
    let baseline = 0;
    for (const workers of [1, 2, 4]) {
      const result = await withTimeout(train(config, { write: false, workers }), 120_000, 'train');
      if (first) assertSameWeights(result.weights, first.weights, `workers ${workers} vs 1`);
      else first = result;
      // Epoch 1 includes the warm-up (JIT, worker start): report the best later epoch.
      const rate = Math.max(...result.metrics.slice(1).map((m) => m.samplesPerSec));
      baseline ||= rate;
      rows.push(
        `[report]   ${workers} thread${workers > 1 ? 's' : ' '} ${Math.round(rate).toString().padStart(8)} samples/s  ×${(rate / baseline).toFixed(2)}`,
      );
    }
    console.log(
      `\n[report] throughput, ${kernels} kernels, mnist 784-50-10, batch 100, 4 chunks, ${config.data.train} rows:\n${rows.join('\n')}`,
    );
  });
}

s.run();
