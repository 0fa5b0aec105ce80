/**
 * One benchmark case, run in its own process so its peak RSS is its own: trains a model on the
 * bundled MNIST digits through the real `train()` path and prints one JSON line.
 * Usage: node --import tsx src/bench/train-case.ts <hidden-units,comma-separated> <batch> <workers> <epochs> [kernels]
 */
import { availableParallelism } from 'node:os';
import { train } from '../train/train.ts';

const [hiddenArg, batchArg, workersArg, epochsArg, kernels = 'wasm'] = process.argv.slice(2);
const hidden = hiddenArg.split(',').filter(Boolean).map(Number);
const batch = Number(batchArg);
const workers = Number(workersArg);
const epochs = Number(epochsArg);
const widths = [784, ...hidden, 10];

const layers = widths.slice(1).flatMap((units, i) => {
  const affine = { type: 'affine' as const, units, init: 'he' as const };
  return i < widths.length - 2 ? [affine, { type: 'relu' as const }] : [affine];
});
const rssPerEpoch: number[] = [];
const { metrics } = await train(
  {
    name: 'bench',
    seed: 1,
    data: { source: 'mnist', train: 8000, test: 0 },
    model: { layers, loss: 'softmax-cross-entropy' },
    train: { epochs, batchSize: batch, optimizer: { type: 'sgd', learningRate: 0.01 } },
    // Chunks fixed per machine, not per case: every worker count then does the same arithmetic.
    parallel: { workers, chunks: availableParallelism(), kernels: kernels as 'wasm' | 'reference' },
  },
  { write: false, onEpoch: () => rssPerEpoch.push(process.memoryUsage().rss) },
);

// The first third of the epochs is warm-up: V8 keeps tiering up the wasm and JS of every thread
// for a thousand or so small steps (measured: 2 workers ramp from ~150k to ~300k samples/s over the
// first ~15 epochs of the small net). The median epoch of the rest is the figure.
const timed = metrics
  .slice(Math.ceil(metrics.length / 3))
  .map((m) => m.samplesPerSec)
  .sort((a, b) => a - b);
const median =
  timed.length % 2 ? timed[(timed.length - 1) / 2] : (timed[timed.length / 2 - 1] + timed[timed.length / 2]) / 2;
// Training FLOPs per sample: forward 2·in·out per affine, backward 2·in·out for dW and again for
// dx — except the first layer, whose input gradient is skipped.
const flopsPerSample = widths.slice(1).reduce((sum, out, i) => sum + 2 * widths[i] * out * (i === 0 ? 2 : 3), 0);
console.log(
  JSON.stringify({
    model: widths.join('-'),
    batch,
    workers,
    kernels,
    samplesPerSec: median,
    gflops: (median * flopsPerSample) / 1e9,
    epochs: timed.length,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    rssMBPerEpoch: rssPerEpoch.map((r) => Math.round(r / 2 ** 20)),
  }),
);
