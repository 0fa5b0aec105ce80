import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as benchMain } from '../../src/bench/bench.ts';
import { main as gemmMain, benchGemm, formatGemmTable } from '../../src/bench/gemm.ts';
import { main as gemmSparseMain } from '../../src/bench/gemm-sparse.ts';
import { main as trainCaseMain } from '../../src/bench/train-case.ts';
import { main as profileStepMain } from '../../src/bench/profile-step.ts';
import { main as slotSharingMain } from '../../src/bench/slot-sharing.ts';
import type { Main } from '../../src/cli/io.ts';
import { assertBadInput, runMain, runNode } from '../support/cli.ts';

/**
 * The benchmark harness, without benchmarking: a training case (what `npm run bench` spawns per
 * case) as a child process, the GEMM timing on a tiny shape, and every entry point's flags.
 */
const s = suite('benchmark harness');

s(
  'smoke, as a child process: a training case reports median samples/s, GFLOP/s from the net shape, RSS per epoch',
  async () => {
    const run = await runNode([
      'src/bench/train-case.ts',
      '--hidden',
      '50',
      '--batch',
      '100',
      '--workers',
      '1',
      '--epochs',
      '3',
    ]);
    assert.is(run.code, 0, run.stderr);
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
  },
);

s('the GEMM micro-benchmark measures every orientation for a given shape', () => {
  const results = benchGemm({ quick: true, shapes: [{ m: 3, k: 5, n: 7 }] });
  assert.equal(
    results.map((r) => r.orientation),
    ['matmul', 'matmulAT', 'matmulBT'],
  );
  for (const r of results) assert.ok(r.wasm > 0 && r.reference > 0, JSON.stringify(r));
  assert.match(formatGemmTable(results), /matmulAT\s+3×5×7/);
});

s('the per-kernel profile times every kernel call of a chunk, in the order the layers make them', async () => {
  const run = await runMain(profileStepMain, ['--hidden', '6', '--rows', '5', '--steps', '3', '--cpu']);
  assert.is(run.code, 0, run.stderr);
  const names = run.stdout
    .trim()
    .split('\n')
    .slice(1, -1)
    .map((line) => line.split(/ {2,}/)[0]);
  // 784-6-10: no input gradient for the first layer (as the affine layer skips it).
  assert.equal(names, [
    'x·W1 5×784×6',
    'bias 1',
    'relu 1',
    'x·W2 5×6×10',
    'bias 2',
    'softmax',
    'xᵀ·dout dW2 6×5×10',
    'db2',
    'dout·W2ᵀ 5×10×6',
    "relu' 1",
    'xᵀ·dout dW1 784×5×6',
    'db1',
  ]);
  assert.match(run.stdout, /sum of medians/);
  assertBadInput(await runMain(profileStepMain, ['--threads', '2', '--cpu']), /--cpu counts the whole process/);
});

const entryPoints: Array<[string, Main, RegExp]> = [
  ['bench', benchMain, /^usage: npm run bench -- \[--quick\] \[--json\]/],
  ['train-case', trainCaseMain, /^usage: node --import tsx src\/bench\/train-case\.ts --hidden LIST/],
  ['gemm', gemmMain, /^usage: node --import tsx src\/bench\/gemm\.ts \[--quick\] \[--json\]/],
  ['gemm-sparse', gemmSparseMain, /^usage: node --import tsx src\/bench\/gemm-sparse\.ts/],
  ['profile-step', profileStepMain, /^usage: node --import tsx src\/bench\/profile-step\.ts/],
  ['slot-sharing', slotSharingMain, /^usage: node --import tsx src\/bench\/slot-sharing\.ts/],
];
for (const [name, main, usage] of entryPoints) {
  s(`${name}: --help prints the usage and exits 0; an unknown flag or a stray argument exits 2`, async () => {
    const help = await runMain(main, ['--help']);
    assert.is(help.code, 0, help.stderr);
    assert.match(help.stdout, usage);
    assertBadInput(await runMain(main, ['--quik']), /✖ unknown flag/, '--quik');
    assertBadInput(await runMain(main, ['extra']), /✖ expected 0 arguments, got 1\n✖ usage: /);
  });
}

const badValues: Array<[string, Main, string[], string]> = [
  ['bench', benchMain, ['--kernels', 'gpu'], '--kernels'],
  ['train-case', trainCaseMain, ['--batch', 'abc'], '--batch'],
  ['train-case', trainCaseMain, ['--workers', '0'], '--workers'],
  ['train-case', trainCaseMain, ['--hidden', '50,,10'], '--hidden'],
  ['train-case', trainCaseMain, ['--epochs', '2.5'], '--epochs'],
  ['gemm-sparse', gemmSparseMain, ['--product', 'matmulXY'], '--product'],
  ['profile-step', profileStepMain, ['--threads', '3'], '--threads'],
];
for (const [name, main, args, flag] of badValues) {
  s(`${name} ${args.join(' ')}: exit 2 naming the flag, before any work`, async () => {
    assertBadInput(await runMain(main, args), `got "${args[1]}"`, flag);
  });
}

s.run();
