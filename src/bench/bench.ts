/**
 * `npm run bench [-- --quick] [--json]`: training throughput on the bundled MNIST digits for the
 * two reference nets at 1, 2 and all-core workers, plus the GEMM micro-benchmark per orientation.
 * Cases run one after another (never two at once: they would share the cores), each in a fresh
 * process so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchGemm, formatGemmTable } from './gemm.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, kernels: { type: 'string', default: 'wasm' } },
});
const quick = values.quick ?? false;
const workerCounts = [...new Set([1, 2, availableParallelism()])];
const nets = [
  { hidden: '50', batch: 100, epochs: quick ? 9 : 30 },
  { hidden: '512,512', batch: 256, epochs: quick ? 3 : 12 },
];

interface CaseResult {
  model: string;
  batch: number;
  workers: number;
  samplesPerSec: number;
  gflops: number;
  peakRssMB: number;
  rssMBPerEpoch: number[];
  speedup?: number;
}

function runCase(script: string, args: string[]): string {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`benchmark case ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout.trim();
}

const results: CaseResult[] = [];
for (const net of nets) {
  let single = 0;
  for (const workers of workerCounts) {
    const line = runCase('./train-case.ts', [
      net.hidden,
      String(net.batch),
      String(workers),
      String(net.epochs),
      values.kernels!,
    ]);
    const result = JSON.parse(line.split('\n').pop()!) as CaseResult;
    if (workers === 1) single = result.samplesPerSec;
    result.speedup = result.samplesPerSec / single;
    results.push(result);
    if (values.json) console.log(JSON.stringify({ case: 'train', ...result }));
  }
}
// The GEMM micro-benchmark runs here, after the training cases: one thread, nothing else running.
const gemm = benchGemm({ quick });
if (values.json) for (const result of gemm) console.log(JSON.stringify({ case: 'gemm', ...result }));
else {
  console.log('model            batch  workers  samples/s   GFLOP/s  speedup  peak RSS MB  RSS per epoch (MB)');
  for (const r of results) {
    console.log(
      `${r.model.padEnd(16)} ${String(r.batch).padStart(5)}  ${String(r.workers).padStart(7)}  ` +
        `${Math.round(r.samplesPerSec).toString().padStart(9)}` +
        `  ${r.gflops.toFixed(1).padStart(8)}  ${r.speedup!.toFixed(2).padStart(6)}x  ` +
        `${Math.round(r.peakRssMB).toString().padStart(11)}  ${r.rssMBPerEpoch.join(' ')}`,
    );
  }
  console.log('\nGEMM, one core, median GFLOP/s');
  console.log(formatGemmTable(gemm));
}
