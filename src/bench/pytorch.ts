/**
 * PyTorch-CPU beside `npm run bench`: runs src/bench/pytorch_mlp.py (the same two nets, data, epochs
 * and median rule) when /usr/bin/python3 can import torch, and the ratios issue 16 tracks.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir, mnistImages } from '../data/mnist-cache.ts';

export const PYTHON = '/usr/bin/python3';

export interface TorchResult {
  model: string;
  batch: number;
  threads: number;
  samplesPerSec: number;
  gflops: number;
  /** The BLAS (or MKL) libraries the PyTorch process had loaded. */
  blas: string;
}

/** The figures `bench.ts` passes in: one per model and worker count. */
export interface OwnResult {
  model: string;
  workers: number;
  samplesPerSec: number;
}

/** Whether `python` can import torch (false when python is missing too). */
export function torchAvailable(python = PYTHON): boolean {
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Runs the PyTorch cases at 1 and 2 threads, or says why they could not run. */
export function runTorch(quick: boolean, python = PYTHON): { results: TorchResult[] } | { error: string } {
  mnistImages(); // the script reads the digits from shardprop's cache: make sure it is there
  const script = fileURLToPath(new URL('./pytorch_mlp.py', import.meta.url));
  const args = [script, '--threads', '1,2', '--digits', join(defaultCacheDir, 'mnist-v1.bin')];
  const run = spawnSync(python, quick ? [...args, '--quick'] : args, { encoding: 'utf8' });
  if (run.status !== 0) return { error: `exit ${run.status}: ${run.stderr.trim().split('\n').pop()}` };
  const lines = run.stdout.trim().split('\n');
  return { results: lines.map((line) => JSON.parse(line) as TorchResult) };
}

/** The reference BLAS of Debian's libblas3 runs at a few GFLOP/s: a comparison against it means little. */
export function usesReferenceBlas(results: readonly TorchResult[]): boolean {
  return results.some((r) => /\/blas\/libblas\.so/.test(r.blas) && !/openblas|mkl|blis/i.test(r.blas));
}

/** The ratios of issue 16's table, each with the figures it divides. */
export function torchRatios(own: readonly OwnResult[], torch: readonly TorchResult[]): string[] {
  const ours = (model: string, workers: number) =>
    own.find((r) => r.model === model && r.workers === workers)?.samplesPerSec ?? NaN;
  const theirs = (model: string) => torch.filter((r) => r.model === model).map((r) => r.samplesPerSec);
  const small = '784-50-10';
  const large = '784-512-512-10';
  const [small1, small2, large1, large2] = [ours(small, 1), ours(small, 2), ours(large, 1), ours(large, 2)];
  const smallTorch1 = torch.find((r) => r.model === small && r.threads === 1)?.samplesPerSec ?? NaN;
  const largeTorchBest = Math.max(...theirs(large));
  const line = (label: string, ratio: number) => `${label.padEnd(62)} ${ratio.toFixed(2)}`;
  return [
    line(`${small} b100, 2 workers ÷ 1 worker`, small2 / small1),
    line(`${small} b100, 2 workers ÷ PyTorch 1 thread`, small2 / smallTorch1),
    line(`${large} b256, 2 workers ÷ PyTorch best of 1, 2 threads`, large2 / largeTorchBest),
    line(`${large} b256, 2 workers ÷ 1 worker`, large2 / large1),
  ];
}

export function formatTorchTable(results: readonly TorchResult[]): string {
  const lines = ['model            batch  threads  samples/s   GFLOP/s'];
  for (const r of results)
    lines.push(
      `${r.model.padEnd(16)} ${String(r.batch).padStart(5)}  ${String(r.threads).padStart(7)}  ` +
        `${Math.round(r.samplesPerSec).toString().padStart(9)}  ${r.gflops.toFixed(1).padStart(8)}`,
    );
  return lines.join('\n');
}
