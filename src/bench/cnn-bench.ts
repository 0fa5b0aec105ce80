/**
 * The CNN part of `npm run bench`: SimpleConvNet at batch 100 with 1 and 2 workers (cnn-case.ts,
 * each in its own process), then the same net in PyTorch on the CPU in the same run when
 * /usr/bin/python3 (or python3) has torch (pytorch_cnn.py), at 1 and 2 threads.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CnnCaseResult {
  model: string;
  batch: number;
  workers: number;
  samplesPerSec: number;
  gflops: number;
  peakRssMB: number;
  convLayers: {
    layer: number;
    rows: number;
    forwardGflops: number;
    backwardGflops: number;
    gflops: number;
    partsMs: Record<string, number>;
  }[];
  speedup?: number;
}

export interface PytorchResult {
  threads: number;
  samplesPerSec: number;
  testAccuracy: number;
  torch: string;
}

export interface CnnBench {
  cases: CnnCaseResult[];
  /** PyTorch's figures from the same run, or why there are none. */
  pytorch: PytorchResult[] | { skipped: string };
}

const SCRIPT = fileURLToPath(new URL('./pytorch_cnn.py', import.meta.url));

export function benchCnn(options: {
  quick: boolean;
  kernels: 'wasm' | 'reference';
  runCase: (script: string, args: string[]) => string;
}): CnnBench {
  const cases: CnnCaseResult[] = [];
  const epochs = options.quick ? '2' : '6';
  const train = options.quick ? '1000' : '8000';
  for (const workers of [1, 2]) {
    const line = options.runCase('./cnn-case.ts', [
      ...['--workers', String(workers), '--epochs', epochs, '--train', train, '--kernels', options.kernels],
    ]);
    const result = JSON.parse(line.split('\n').pop()!) as CnnCaseResult;
    result.speedup = result.samplesPerSec / (cases[0]?.samplesPerSec ?? result.samplesPerSec);
    cases.push(result);
  }
  return { cases, pytorch: runPytorch(options.quick ? ['--epochs', '2', '--train', '1000'] : ['--epochs', '4']) };
}

function runPytorch(args: string[]): PytorchResult[] | { skipped: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, [SCRIPT, '--json', '--threads', '1,2', ...args], { encoding: 'utf8' });
    if (run.status !== 0) return { skipped: `${SCRIPT} failed: ${run.stderr.trim().split('\n').pop()}` };
    return run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PytorchResult);
  }
  return { skipped: 'no python3 with torch (Debian: apt install python3-torch)' };
}

export function cnnJsonLines(bench: CnnBench): string[] {
  const pytorch = Array.isArray(bench.pytorch)
    ? bench.pytorch.map((r) => JSON.stringify({ case: 'cnn-pytorch', ...r }))
    : [JSON.stringify({ case: 'cnn-pytorch', ...bench.pytorch })];
  return [...bench.cases.map((r) => JSON.stringify({ case: 'cnn', ...r })), ...pytorch];
}

export function formatCnn(bench: CnnBench): string {
  const lines = ['\nmodel            batch  workers  samples/s   GFLOP/s  speedup  peak RSS MB'];
  for (const r of bench.cases) {
    lines.push(
      `${r.model.padEnd(16)} ${String(r.batch).padStart(5)}  ${String(r.workers).padStart(7)}  ` +
        `${Math.round(r.samplesPerSec).toString().padStart(9)}  ${r.gflops.toFixed(1).padStart(8)}  ` +
        `${r.speedup!.toFixed(2).padStart(6)}x  ${Math.round(r.peakRssMB).toString().padStart(11)}`,
    );
  }
  for (const c of bench.cases[0]?.convLayers ?? []) {
    const parts = Object.entries(c.partsMs).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
    lines.push(
      `conv layer ${c.layer}, ${c.rows} rows on one thread: forward ${c.forwardGflops.toFixed(1)} GFLOP/s, ` +
        `backward ${c.backwardGflops.toFixed(1)}, both ${c.gflops.toFixed(1)}; ms per call: ${parts.join(', ')}`,
    );
  }
  if (Array.isArray(bench.pytorch)) {
    for (const r of bench.pytorch) {
      lines.push(
        `PyTorch ${r.torch} CPU, same net and batch, ${r.threads} thread(s): ${Math.round(r.samplesPerSec)} samples/s`,
      );
    }
    const best = Math.max(...bench.pytorch.map((r) => r.samplesPerSec));
    const two = bench.cases.find((r) => r.workers === 2);
    if (two)
      lines.push(
        `shardprop at 2 workers / PyTorch at its best thread count: ${(two.samplesPerSec / best).toFixed(2)}x`,
      );
  } else lines.push(`PyTorch: skipped, ${bench.pytorch.skipped}`);
  return lines.join('\n');
}
