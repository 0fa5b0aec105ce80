import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCnn, type CnnBench } from '../../src/bench/cnn-bench.ts';
import { main, simpleConvNet, trainingFlops } from '../../src/bench/cnn-case.ts';
import { planModel } from '../../src/model/plan.ts';
import { runMain } from '../support/cli.ts';

const s = suite('CNN benchmark case, without benchmarking');

// Per sample: conv 2·576 positions·25 values·30 filters = 864,000 for the forward and again for dW
// (first layer: no dx); affine 4320→100: 3 × 864,000; affine 100→10: 3 × 2,000.
s("SimpleConvNet's training FLOPs per sample, from its shapes", () => {
  const plan = planModel(simpleConvNet(), [1, 28, 28]);
  assert.is(trainingFlops(plan), 2 * 864_000 + 3 * 864_000 + 3 * 2_000);
});

// In this process: the training case that `npm run bench` spawns is a child process in
// test/bench/bench.test.ts; this one's output does not depend on being one.
s('smoke: one JSON line with samples/s, GFLOP/s from the net and per-layer times', async () => {
  const run = await runMain(main, ['--workers', '1', '--epochs', '2', '--train', '200']);
  assert.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  assert.is(result.model, 'SimpleConvNet');
  assert.ok(result.samplesPerSec > 0);
  assert.ok(Math.abs(result.gflops - (result.samplesPerSec * 4_326_000) / 1e9) < 1e-6 * result.gflops);
  const [conv] = result.convLayers;
  assert.is(conv.layer, 0);
  assert.equal(Object.keys(conv.partsMs), ['im2col', 'W·col', 'unpackChannels', 'packChannels', 'dout·colᵀ']);
  assert.ok(conv.gflops > 0);
});

s('the table puts PyTorch beside the 2-worker figure, or says why it is missing', () => {
  const cases = [1, 2].map((workers) => ({
    model: 'SimpleConvNet',
    batch: 100,
    workers,
    samplesPerSec: 1000 * workers,
    gflops: 4.3 * workers,
    peakRssMB: 200,
    convLayers: [],
    speedup: workers,
  }));
  const pytorch = [
    { threads: 1, samplesPerSec: 800, testAccuracy: 0.9, torch: '1.13' },
    { threads: 2, samplesPerSec: 1000, testAccuracy: 0.9, torch: '1.13' },
  ];
  const bench: CnnBench = { cases, pytorch };
  assert.match(formatCnn(bench), 'shardprop at 2 workers / PyTorch at its best thread count: 2.00x');
  assert.match(formatCnn({ cases, pytorch: { skipped: 'no python3 with torch' } }), 'PyTorch: skipped, no python3');
});

s.run();
