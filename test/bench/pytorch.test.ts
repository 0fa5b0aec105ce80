import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCacheDir, mnistImages } from '../../src/data/mnist-cache.ts';
import {
  PYTHON,
  runTorch,
  torchAvailable,
  torchRatios,
  usesReferenceBlas,
  type TorchResult,
} from '../../src/bench/pytorch.ts';
import { tempDir, writeTemp } from '../support/temp.ts';

/** The PyTorch comparison's plumbing, with a stand-in for python (never PyTorch itself: too slow for a test). */
const s = suite('bench: PyTorch comparison');

const torchResult = (model: string, threads: number, samplesPerSec: number, blas = 'openblas'): TorchResult => ({
  model,
  batch: model === '784-50-10' ? 100 : 256,
  threads,
  samplesPerSec,
  gflops: 1,
  blas,
});

s("the ratios are issue 16's: small 2w/1w and 2w ÷ torch 1 thread, large 2w ÷ torch's best and 2w/1w", () => {
  const own = [
    { model: '784-50-10', workers: 1, samplesPerSec: 300 },
    { model: '784-50-10', workers: 2, samplesPerSec: 480 },
    { model: '784-512-512-10', workers: 1, samplesPerSec: 18 },
    { model: '784-512-512-10', workers: 2, samplesPerSec: 34 },
  ];
  const torch = [
    torchResult('784-50-10', 1, 400),
    torchResult('784-50-10', 2, 500), // not used: the issue compares against 1 thread
    torchResult('784-512-512-10', 1, 40),
    torchResult('784-512-512-10', 2, 68),
  ];
  const values = torchRatios(own, torch).map((line) => Number(line.split(' ').pop()));
  assert.equal(values, [1.6, 1.2, 0.5, 1.89]); // 480/300, 480/400, 34/68, 34/18 = 1.888…
});

s('the reference BLAS of libblas3 is told apart from OpenBLAS', () => {
  const reference = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 /usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3';
  assert.ok(usesReferenceBlas([torchResult('784-50-10', 1, 1, reference)]));
  const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';
  assert.not.ok(usesReferenceBlas([torchResult('784-50-10', 1, 1, openblas)]));
});

s('a python that is missing or cannot import torch turns the comparison off; its JSON lines are read', () => {
  const dir = tempDir();
  assert.not.ok(torchAvailable(`${dir}/no-such-python`));
  const failing = writeTemp(dir, 'failing', '#!/bin/sh\necho "ModuleNotFoundError: torch" >&2\nexit 1\n');
  chmodSync(failing, 0o755);
  assert.not.ok(torchAvailable(failing));
  assert.equal(runTorch(true, failing), { error: 'exit 1: ModuleNotFoundError: torch' });
  const line = JSON.stringify(torchResult('784-50-10', 1, 123));
  const fake = writeTemp(dir, 'fake', `#!/bin/sh\necho '${line}'\n`);
  chmodSync(fake, 0o755);
  assert.ok(torchAvailable(fake));
  assert.equal(runTorch(true, fake), { results: [JSON.parse(line)] });
});

// Runs only where numpy is importable (the reader needs no torch): the script's reader of the digit
// cache against src/data/mnist-cache.ts, row by row for a few of the rows it picks.
if (spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) {
  s('pytorch_mlp.py reads the same digits and labels as shardprop from its MNIST cache', () => {
    const images = mnistImages();
    const code =
      "import sys, json; sys.path.insert(0, 'src/bench'); import numpy as np; import pytorch_mlp as p\n" +
      'x, y = p.load_digits(sys.argv[1]); rows = np.random.default_rng(1).permutation(10000)[:8000]\n' +
      'sums = [float(v) for v in x[:3].sum(1)]\n' +
      'print(json.dumps([list(x.shape), [int(r) for r in rows[:3]], sums, y[:3].tolist()]))';
    const run = spawnSync(PYTHON, ['-B', '-c', code, join(defaultCacheDir, 'mnist-v1.bin')], { encoding: 'utf8' });
    assert.is(run.status, 0, run.stderr);
    const [shape, rows, sums, labels] = JSON.parse(run.stdout) as number[][];
    assert.equal(shape, [8000, 784]);
    rows.forEach((row, i) => {
      const pixels = images.pixels.subarray(row * 784, (row + 1) * 784);
      const sum = pixels.reduce((total, v) => total + v, 0);
      assert.ok(Math.abs(sum - sums[i]) < 1e-3 * sum, `row ${row}: pixel sum ${sum} vs ${sums[i]}`);
      assert.is(labels[i], images.labels[row], `row ${row}: label`);
    });
  });
}

s.run();
