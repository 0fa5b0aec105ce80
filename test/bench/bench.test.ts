import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { benchGemm, formatGemmTable } from '../../src/bench/gemm.ts';

const s = suite('benchmark harness');

s('a training case reports median samples/s, GFLOP/s from the net shape, and RSS per epoch', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bench/train-case.ts', '50', '100', '1', '3'], {
    encoding: 'utf8',
  });
  assert.is(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  assert.is(result.model, '784-50-10');
  assert.is(result.batch, 100);
  assert.is(result.workers, 1);
  assert.is(result.epochs, 2, 'the first of 3 epochs is warm-up');
  assert.ok(result.samplesPerSec > 0);
  // Per sample: forward 2·784·50 + 2·50·10, backward dW the same again, dx only for the second
  // layer (2·50·10): 156,800 + 3,000 = 159,800 FLOPs.
  assert.ok(Math.abs(result.gflops - (result.samplesPerSec * 159_800) / 1e9) < 1e-6 * result.gflops);
  assert.is(result.rssMBPerEpoch.length, 3);
  assert.ok(result.peakRssMB >= Math.max(...result.rssMBPerEpoch) - 1);
});

s('the GEMM micro-benchmark measures every orientation for a given shape', () => {
  const results = benchGemm({ quick: true, shapes: [{ m: 3, k: 5, n: 7 }] });
  assert.equal(
    results.map((r) => r.orientation),
    ['matmul', 'matmulAT', 'matmulBT'],
  );
  for (const r of results) assert.ok(r.wasm > 0 && r.reference > 0, JSON.stringify(r));
  assert.match(formatGemmTable(results), /matmulAT\s+3×5×7/);
});

s.run();
