/**
 * One benchmark case, run in its own process so its peak RSS is its own: trains a model on the
 * bundled MNIST digits through the real `train()` path and prints one JSON line.
 */
import { availableParallelism } from 'node:os';
import { choiceFlag, integerFlag, listFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { MAX_WORKERS } from '../config/schema.ts';
import { train } from '../train/train.ts';
import { medianAfterWarmUp } from './epoch-median.ts';

export const command = {
  usage: 'node --import tsx src/bench/train-case.ts --hidden LIST --batch N --workers N --epochs N [--kernels K]',
  about:
    'Trains 784-<hidden>-10 on 8000 bundled MNIST digits and prints one JSON line: the median\n' +
    'samples/s of the epochs after a warm-up third, GFLOP/s, peak RSS and RSS per epoch.',
  flags: {
    hidden: { type: 'string', value: 'LIST', default: '50', description: 'hidden layer widths, comma-separated' },
    batch: { type: 'string', value: 'N', default: '100', description: 'batch size' },
    workers: { type: 'string', value: 'N', default: '1', description: 'threads computing' },
    epochs: { type: 'string', value: 'N', default: '3', description: 'epochs, the first third of them warm-up' },
    kernels: { type: 'string', value: 'K', default: 'wasm', description: 'wasm or reference' },
    chunks: { type: 'string', value: 'N', description: 'chunks per batch (default: the cores)' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const hidden = listFlag(args.values.hidden, 'hidden', (units) => integerFlag(units, 'hidden')!);
    const batch = integerFlag(args.values.batch, 'batch')!;
    const workers = integerFlag(args.values.workers, 'workers', { max: MAX_WORKERS })!;
    const epochs = integerFlag(args.values.epochs, 'epochs')!;
    const kernels = choiceFlag(args.values.kernels, 'kernels', ['wasm', 'reference'] as const);
    const chunks = integerFlag(args.values.chunks, 'chunks') ?? availableParallelism();
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
        parallel: { workers, chunks, kernels },
      },
      { write: false, onEpoch: () => rssPerEpoch.push(process.memoryUsage().rss) },
    );

    const { median, epochs: timedEpochs } = medianAfterWarmUp(metrics);
    // Training FLOPs per sample: forward 2·in·out per affine, backward 2·in·out for dW and again for
    // dx — except the first layer, whose input gradient is skipped.
    const flopsPerSample = widths.slice(1).reduce((sum, out, i) => sum + 2 * widths[i] * out * (i === 0 ? 2 : 3), 0);
    const result = {
      model: widths.join('-'),
      batch,
      workers,
      kernels,
      samplesPerSec: median,
      gflops: (median * flopsPerSample) / 1e9,
      epochs: timedEpochs,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      rssMBPerEpoch: rssPerEpoch.map((r) => Math.round(r / 2 ** 20)),
    };
    io.stdout.write(JSON.stringify(result) + '\n');
  });
}

if (isScript(import.meta.url)) await runScript(main);
