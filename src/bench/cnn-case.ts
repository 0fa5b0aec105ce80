/**
 * The CNN benchmark case, in its own process like train-case.ts: the book's SimpleConvNet (the
 * model of data/configs/mnist-cnn.json) trained on the bundled MNIST digits through the real
 * `train()` path, then each conv layer's kernels timed alone on one thread (conv-timing.ts).
 * Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { choiceFlag, integerFlag, parseCommand } from '../cli/args.ts';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { modelSchema, type ModelConfig } from '../config/model-schema.ts';
import { MAX_WORKERS } from '../config/schema.ts';
import { mnistImages } from '../data/mnist-cache.ts';
import { patchSize, positions } from '../kernels/window.ts';
import { windowOn } from '../layers/window-shape.ts';
import { planModel, type ModelPlan } from '../model/plan.ts';
import { sizeOf } from '../tensor.ts';
import { train } from '../train/train.ts';
import { medianAfterWarmUp } from './epoch-median.ts';
import { timeConv } from './conv-timing.ts';

export const command = {
  usage: 'node --import tsx src/bench/cnn-case.ts --workers N [--batch N] [--epochs N] [--train N] [--kernels K]',
  about:
    "Trains the book's SimpleConvNet (data/configs/mnist-cnn.json's model) on bundled MNIST digits and\n" +
    'prints one JSON line: the median samples/s of the epochs after a warm-up third, GFLOP/s, peak RSS,\n' +
    "and per conv layer its kernels' times on one thread and GFLOP/s.",
  flags: {
    workers: { type: 'string', value: 'N', default: '1', description: 'threads computing' },
    batch: { type: 'string', value: 'N', default: '100', description: 'batch size' },
    epochs: { type: 'string', value: 'N', default: '3', description: 'epochs, the first third of them warm-up' },
    train: { type: 'string', value: 'N', default: '8000', description: 'training digits (at most 10000)' },
    kernels: { type: 'string', value: 'K', default: 'wasm', description: 'wasm or reference' },
    chunks: { type: 'string', value: 'N', description: 'chunks per batch (default: the cores)' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const;

const CONFIG = new URL('../../data/configs/mnist-cnn.json', import.meta.url);

/** The model of data/configs/mnist-cnn.json, so the bench and the example are one net. */
export function simpleConvNet(): ModelConfig {
  return modelSchema.parse(JSON.parse(readFileSync(CONFIG, 'utf8')).model);
}

/**
 * Training FLOPs per sample, counting the products: 2·in·out per affine (2·P·K·filters per conv)
 * for the forward, again for dW, and again for dx except in the first layer, which skips it.
 */
export function trainingFlops(plan: ModelPlan): number {
  return plan.config.layers.reduce((sum, layer, i) => {
    const input = i === 0 ? plan.inputShape : plan.shapes[i - 1];
    const passes = i === 0 ? 2 : 3;
    if (layer.type === 'affine') return sum + 2 * sizeOf(input) * layer.units * passes;
    if (layer.type !== 'conv2d') return sum;
    const g = windowOn('conv2d', input, layer.kernel, layer.stride, layer.padding);
    return sum + 2 * positions(g) * patchSize(g) * layer.filters * passes;
  }, 0);
}

export async function main(argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    const args = parseCommand(command, argv, io);
    if (!args) return 0;
    const workers = integerFlag(args.values.workers, 'workers', { max: MAX_WORKERS })!;
    const batch = integerFlag(args.values.batch, 'batch')!;
    const epochs = integerFlag(args.values.epochs, 'epochs')!;
    const count = integerFlag(args.values.train, 'train', { max: 10_000 })!;
    const kernels = choiceFlag(args.values.kernels, 'kernels', ['wasm', 'reference'] as const);
    const chunks = integerFlag(args.values.chunks, 'chunks') ?? availableParallelism();
    const model = simpleConvNet();
    const { metrics } = await train(
      {
        name: 'bench-cnn',
        seed: 1,
        data: { source: 'mnist', train: count, test: 0 },
        model,
        train: { epochs, batchSize: batch, optimizer: { type: 'sgd', learningRate: 0.01 } },
        // Chunks fixed per machine, not per case: every worker count then does the same arithmetic.
        parallel: { workers, chunks, kernels },
      },
      { write: false },
    );
    const { median, epochs: timedEpochs } = medianAfterWarmUp(metrics);
    const plan = planModel(model, [1, 28, 28]);
    const rows = Math.ceil(batch / chunks);
    const digits = mnistImages().pixels.subarray(0, rows * 784);
    const convLayers = model.layers.flatMap((layer, i) => {
      if (layer.type !== 'conv2d') return [];
      const input = i === 0 ? plan.inputShape : plan.shapes[i - 1];
      const g = windowOn('conv2d', input, layer.kernel, layer.stride, layer.padding);
      return [{ layer: i, rows, ...timeConv(g, layer.filters, rows, i > 0, i === 0 ? digits : undefined) }];
    });
    const result = {
      model: 'SimpleConvNet',
      batch,
      workers,
      kernels,
      samplesPerSec: median,
      gflops: (median * trainingFlops(plan)) / 1e9,
      epochs: timedEpochs,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      convLayers,
    };
    io.stdout.write(JSON.stringify(result) + '\n');
  });
}

if (isScript(import.meta.url)) await runScript(main);
