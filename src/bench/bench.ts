/**
 * `npm run bench [-- --quick] [--json]`: training throughput on the bundled MNIST digits for the
 * two reference nets at 1, 2 and all-core workers, plus the GEMM micro-benchmark per orientation.
 * Cases run one after another (never two at once: they would share the cores), each in a fresh
 * process so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { choiceFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { UserError } from '../errors.ts';
import { benchCnn, cnnJsonLines, formatCnn } from './cnn-bench.ts';
import { benchGemm, formatGemmTable } from './gemm.ts';
import { formatTorchTable, PYTHON, runTorch, torchAvailable, torchRatios, usesReferenceBlas } from './pytorch.ts';

export const command = {
  usage: 'npm run bench -- [--quick] [--json] [--kernels wasm|reference] [--case all|mlp|cnn|gemm]',
  about:
    'Training throughput (samples/s, GFLOP/s, speed-up, peak RSS) of 784-50-10 at batch 100 and\n' +
    '784-512-512-10 at batch 256 at 1, 2 and all-core workers, each case in its own process; the\n' +
    "book's SimpleConvNet at batch 100 at 1 and 2 workers with its conv layer's kernel times; then\n" +
    'GEMM GFLOP/s per product orientation on one core. Run it on a quiet machine.\n' +
    `With PyTorch importable by ${PYTHON}: the same nets in PyTorch-CPU at 1 and 2 threads, and the ratios.`,
  flags: {
    quick: { type: 'boolean', description: 'fewer epochs and samples (a smoke run, not a measurement)' },
    json: { type: 'boolean', description: 'one JSON line per case instead of the tables' },
    kernels: { type: 'string', value: 'K', default: 'wasm', description: 'wasm or reference (training cases)' },
    case: { type: 'string', value: 'C', default: 'all', description: 'all, or only mlp, cnn (with PyTorch) or gemm' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

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
  if (result.status !== 0) throw new UserError(`✖ benchmark case ${args.join(' ')} failed:\n${result.stderr}`, 1);
  return result.stdout.trim();
}

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const { quick, json } = args.values;
    const kernels = choiceFlag(args.values.kernels, 'kernels', ['wasm', 'reference'] as const);
    const only = choiceFlag(args.values.case, 'case', ['all', 'mlp', 'cnn', 'gemm'] as const);
    const runs = (which: 'mlp' | 'cnn' | 'gemm') => only === 'all' || only === which;
    const print = (line: string) => io.stdout.write(line + '\n');
    const workerCounts = [...new Set([1, 2, availableParallelism()])];
    const nets = [
      { hidden: '50', batch: 100, epochs: quick ? 9 : 30 },
      { hidden: '512,512', batch: 256, epochs: quick ? 3 : 12 },
    ];

    const results: CaseResult[] = [];
    for (const net of runs('mlp') ? nets : []) {
      let single = 0;
      for (const workers of workerCounts) {
        const line = runCase('./train-case.ts', [
          ...['--hidden', net.hidden, '--batch', String(net.batch), '--workers', String(workers)],
          ...['--epochs', String(net.epochs), '--kernels', kernels],
        ]);
        const result = JSON.parse(line.split('\n').pop()!) as CaseResult;
        if (workers === 1) single = result.samplesPerSec;
        result.speedup = result.samplesPerSec / single;
        results.push(result);
        if (json) print(JSON.stringify({ case: 'train', ...result }));
      }
    }
    const cnn = runs('cnn') ? benchCnn({ quick: !!quick, kernels, runCase }) : null;
    if (json && cnn) for (const line of cnnJsonLines(cnn)) print(line);
    // PyTorch after our MLP cases, alone on the machine like them (src/bench/pytorch_mlp.py).
    const torch = !runs('mlp') ? null : torchAvailable() ? runTorch(quick) : { error: `${PYTHON} cannot import torch` };
    if (json && torch && 'results' in torch) for (const result of torch.results) print(JSON.stringify(result));
    if (json && torch && 'error' in torch) print(JSON.stringify({ case: 'pytorch', skipped: torch.error }));
    // The GEMM micro-benchmark runs here, after the training cases: one thread, nothing else running.
    const gemm = runs('gemm') ? benchGemm({ quick }) : [];
    if (json) for (const result of gemm) print(JSON.stringify({ case: 'gemm', ...result }));
    else {
      if (results.length > 0) {
        print('model            batch  workers  samples/s   GFLOP/s  speedup  peak RSS MB  RSS per epoch (MB)');
      }
      for (const r of results) {
        print(
          `${r.model.padEnd(16)} ${String(r.batch).padStart(5)}  ${String(r.workers).padStart(7)}  ` +
            `${Math.round(r.samplesPerSec).toString().padStart(9)}  ${r.gflops.toFixed(1).padStart(8)}  ` +
            `${r.speedup!.toFixed(2).padStart(6)}x  ${Math.round(r.peakRssMB).toString().padStart(11)}  ` +
            r.rssMBPerEpoch.join(' '),
        );
      }
      if (torch && 'error' in torch) print(`\nPyTorch comparison skipped: ${torch.error}`);
      else if (torch) {
        print('\nPyTorch CPU (src/bench/pytorch_mlp.py), same nets, data, epochs and median rule');
        print(formatTorchTable(torch.results));
        if (usesReferenceBlas(torch.results))
          print('(this PyTorch runs on the reference BLAS of libblas3, far below its usual speed: install OpenBLAS)');
        print('\nratios of medians');
        for (const line of torchRatios(results, torch.results)) print(line);
      }
      if (cnn) print(formatCnn(cnn));
      if (gemm.length > 0) {
        print('\nGEMM, one core, median GFLOP/s');
        print(formatGemmTable(gemm));
      }
    }
  });
}

if (isScript(import.meta.url)) await runScript(main);
