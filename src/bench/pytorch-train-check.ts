/**
 * Training checked against a real PyTorch: each case trains a small model with `train()` on one
 * batch of the whole data (a step per epoch, so the rows' order does not matter), and PyTorch
 * (pytorch_train_check.py) trains the same nn.Sequential — the model's `npm run export` — from the
 * same initial weights with torch.optim, its schedulers and clip_grad_norm_. The final weights must
 * agree to float32 precision (1e-5 of each tensor's largest weight). Needs /usr/bin/python3 with torch;
 * not run by the tests. Differences by design are not cases here: a momentum velocity that holds the
 * learning rate (README, optimizers), the book's biased running variance, Keras-style class weights;
 * and `scale` and `bias`, whose square nn.Linear export computes the same outputs but would learn
 * all n² weights in PyTorch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScript, runCommand, runScript, type Io } from '../cli/io.ts';
import { parseConfig } from '../config/load.ts';
import type { RunConfigInput } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { encodeSafetensors, weightsMetadata, type NamedTensor } from '../io/safetensors.ts';
import { initBuffers, initParams } from '../model/init.ts';
import { planModel } from '../model/plan.ts';
import { createRng } from '../random.ts';
import { train } from '../train/train.ts';
import { describeModel } from '../use/describe.ts';
import { pytorchStateDict } from '../use/export-pytorch.ts';
import { loadModel } from '../use/load.ts';
import { PYTHON, torchAvailable } from './pytorch.ts';

const SHAPE = [2, 9, 10];
const FEATURES = SHAPE.reduce((a, b) => a * b);
const [ROWS, CLASSES] = [48, 4];
type Train = RunConfigInput['train'];
type Layers = NonNullable<RunConfigInput['model']>['layers'];

interface Case {
  readonly name: string;
  readonly layers: Layers;
  readonly train: Train;
  readonly workers: number;
}

const CASES: Case[] = [
  {
    name: 'conv stride/padding, relu, maxpool, affine on images; sgd',
    layers: [
      { type: 'conv2d', filters: 4, kernel: [3, 2], stride: [2, 1], padding: [1, 0] },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'affine', units: 8 },
      { type: 'relu' },
      { type: 'affine', units: 4 },
    ],
    train: { epochs: 5, optimizer: { type: 'sgd', learningRate: 0.1 } },
    workers: 2,
  },
  {
    name: 'two convs, leaky-relu, gelu, avgpool, maxpool, flatten, tanh; adam',
    layers: [
      { type: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { type: 'leaky-relu', alpha: 0.1 },
      { type: 'avgpool', size: [2, 3], stride: [1, 2] },
      { type: 'conv2d', filters: 5, kernel: 2, stride: 2, padding: [0, 1] },
      { type: 'gelu' },
      { type: 'maxpool', size: [2, 1], stride: 1 },
      { type: 'flatten' },
      { type: 'affine', units: 6 },
      { type: 'tanh' },
      { type: 'affine', units: 4 },
    ],
    train: { epochs: 6, optimizer: { type: 'adam', learningRate: 0.01 } },
    workers: 3,
  },
  {
    name: 'batch-norm on images, layer-norm, gelu tanh; momentum',
    layers: [
      { type: 'conv2d', filters: 3, kernel: [2, 3], stride: [1, 2] },
      { type: 'batch-norm' },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'layer-norm' },
      { type: 'affine', units: 7 },
      { type: 'gelu', approximate: 'tanh' },
      { type: 'affine', units: 4 },
    ],
    train: { epochs: 6, optimizer: { type: 'momentum', learningRate: 0.05 } },
    workers: 2,
  },
  {
    name: 'clipping, exponential schedule, layer-norm; sgd',
    layers: [
      { type: 'conv2d', filters: 3, kernel: 3 },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'affine', units: 8 },
      { type: 'layer-norm' },
      { type: 'relu' },
      { type: 'affine', units: 4 },
    ],
    train: {
      epochs: 6,
      clipGradientNorm: 0.5,
      optimizer: { type: 'sgd', learningRate: 0.5, schedule: { type: 'exponential', gamma: 0.7 } },
    },
    workers: 3,
  },
  {
    name: 'sigmoid; AdamW (decoupled decay), cosine schedule',
    layers: [{ type: 'affine', units: 12 }, { type: 'sigmoid' }, { type: 'affine', units: 4 }],
    train: {
      epochs: 6,
      optimizer: {
        type: 'adam',
        learningRate: 0.01,
        weightDecay: 0.1,
        decoupled: true,
        schedule: { type: 'cosine', minFactor: 0.1 },
      },
    },
    workers: 2,
  },
  {
    name: 'adagrad with L2 decay',
    layers: [{ type: 'affine', units: 12 }, { type: 'relu' }, { type: 'affine', units: 4 }],
    train: { epochs: 6, optimizer: { type: 'adagrad', learningRate: 0.05, weightDecay: 0.01 } },
    workers: 2,
  },
  {
    name: 'momentum with L2 decay',
    layers: [{ type: 'affine', units: 12 }, { type: 'tanh' }, { type: 'affine', units: 4 }],
    train: { epochs: 6, optimizer: { type: 'momentum', learningRate: 0.1, weightDecay: 0.01 } },
    workers: 2,
  },
];

/** Seeded rows whose class shifts a seventh of the features, as CSV (label first). */
function writeData(path: string): void {
  const rng = createRng(5);
  const lines = [['label', ...Array.from({ length: FEATURES }, (_, i) => `f${i}`)].join(',')];
  for (let r = 0; r < ROWS; r++) {
    const c = r % CLASSES;
    const row = Array.from({ length: FEATURES }, (_, i) => (rng.normal() + (i % 7 === c ? 0.3 * c : 0)).toFixed(4));
    lines.push([c, ...row].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** A run directory holding the config's initial weights, as train() sets them. */
function writeInitialRun(config: RunConfigInput, dir: string): void {
  const parsed = parseConfig(config);
  const plan = planModel(parsed.model, SHAPE);
  const values = new Float32Array(plan.paramCount);
  const buffers = new Float32Array(plan.bufferCount);
  initParams(plan, values, parsed.seed);
  initBuffers(plan, buffers);
  const tensors: Record<string, NamedTensor> = {};
  const take = (flat: Float32Array) => (p: { name: string; shape: readonly number[]; offset: number; size: number }) =>
    (tensors[p.name] = { shape: [...p.shape], data: flat.slice(p.offset, p.offset + p.size) });
  plan.params.forEach(take(values));
  plan.buffers.forEach(take(buffers));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(parsed));
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify(describeModel(parsed, plan, { features: FEATURES, classes: CLASSES })),
  );
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors, weightsMetadata(0)));
}

/** The run directory's weights as a PyTorch export file; returns its path. */
function exportRun(dir: string): string {
  const { tensors, sequential } = pytorchStateDict(loadModel(dir));
  const file = join(dir, 'model.pytorch.safetensors');
  writeFileSync(file, encodeSafetensors(tensors, { format: 'pt', module: sequential }));
  return file;
}

export async function main(_argv: string[], io: Io): Promise<number> {
  return runCommand(io, async () => {
    if (!torchAvailable())
      throw new UserError(`✖ ${PYTHON} cannot import torch (Debian: apt-get install python3-torch)`);
    const root = mkdtempSync(join(tmpdir(), 'shardprop-torch-check-'));
    const script = fileURLToPath(new URL('./pytorch_train_check.py', import.meta.url));
    let failed = 0;
    try {
      const data = join(root, 'data.csv');
      writeData(data);
      for (const [i, c] of CASES.entries()) {
        const dir = join(root, `case-${i}`);
        const config: RunConfigInput = {
          seed: 3 + i,
          data: { source: 'csv', path: data, shape: SHAPE },
          model: { layers: c.layers, loss: 'softmax-cross-entropy' },
          train: { ...c.train, batchSize: ROWS },
          parallel: { workers: c.workers, chunks: 3 },
          output: { dir: join(dir, 'run') },
        };
        writeInitialRun(config, join(dir, 'init'));
        await train(config, { force: true });
        writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
        const args = [
          script,
          exportRun(join(dir, 'init')),
          exportRun(join(dir, 'run')),
          data,
          join(dir, 'config.json'),
        ];
        const run = spawnSync(PYTHON, args, { encoding: 'utf8' });
        if (run.status !== 0)
          throw new UserError(`✖ ${c.name}: PyTorch failed: ${run.stderr.trim().split('\n').pop()}`);
        const { worst, tensor } = JSON.parse(run.stdout) as { worst: number; tensor: string };
        if (worst > 1) failed++;
        const verdict = worst > 1 ? `DIFFERS (${tensor}: ${worst.toFixed(1)}× the tolerance)` : 'same';
        io.stdout.write(
          `${verdict.padEnd(12)} ${c.name} (${c.workers} workers, worst ${worst.toFixed(3)} of the tolerance)\n`,
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    io.stdout.write(`${CASES.length - failed} of ${CASES.length} cases train as PyTorch does\n`);
    return failed ? 1 : 0;
  });
}

if (isScript(import.meta.url)) await runScript(main);
