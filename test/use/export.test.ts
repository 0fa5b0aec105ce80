import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/export.ts';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { loadModel } from '../../src/use/load.ts';
import { handMadeRun, memoryIo, runScript, tempDir } from './helpers.ts';

/** `npm run export -- --format pytorch`: nn.Sequential's state dict, Linear weights as [out, in]. */
const s = suite('npm run export');
const root = tempDir();

/** 2 features → scale → affine 3 → tanh → bias → affine 2: non-square layers, and the two without an nn module. */
const config: RunConfigInput = {
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 20 },
  model: {
    layers: [
      { type: 'scale' },
      { type: 'affine', units: 3 },
      { type: 'tanh' },
      { type: 'bias' },
      { type: 'affine', units: 2 },
    ],
  },
  train: {},
};
const weights = {
  'layers.0.scale': [0.5, -2],
  // [in 2, out 3]: W1[k][j], input k to unit j.
  'layers.1.weight': [1, 2, 3, 4, 5, 6],
  'layers.1.bias': [0.1, 0.2, 0.3],
  'layers.3.bias': [-1, 0, 1],
  // [in 3, out 2]
  'layers.4.weight': [7, 8, 9, 10, 11, 12],
  'layers.4.bias': [0.5, -0.5],
};
const run = join(root, 'run');
handMadeRun(run, config, { features: 2, classes: 2 }, weights);

interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The safetensors file read by hand: 8-byte LE header length, JSON header, LE float32 data. */
function readExport(path: string) {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  const tensors: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, entry] of Object.entries(header) as [string, SafetensorsEntry][]) {
    if (name === '__metadata__') continue;
    assert.is(entry.dtype, 'F32');
    const [begin, end] = entry.data_offsets;
    const values = [];
    for (let at = 8 + length + begin; at < 8 + length + end; at += 4) values.push(bytes.readFloatLE(at));
    tensors[name] = { shape: entry.shape, values };
  }
  return { metadata: header.__metadata__, tensors };
}

async function exportRun(...args: string[]) {
  const io = memoryIo(root);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

s(
  'writes nn.Sequential indices, Linear weights transposed to [out, in], scale and bias as square Linears',
  async () => {
    const { code, out, err } = await exportRun(run);
    assert.is(err, '');
    assert.is(code, 0);
    const { metadata, tensors } = readExport(join(run, 'model.pytorch.safetensors'));
    const sequential = 'nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3), nn.Linear(3, 2))';
    assert.equal(metadata, { format: 'pt', layout: 'out,in', source: 'shardprop', module: sequential });
    assert.equal(Object.keys(tensors), [
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '3.weight',
      '3.bias',
      '4.weight',
      '4.bias',
    ]);
    assert.equal(tensors['0.weight'], { shape: [2, 2], values: [0.5, 0, 0, -2] });
    assert.equal(tensors['0.bias'], { shape: [2], values: [0, 0] });
    // nn.Linear's weight[j][k] is input k to output j: the rows of W1 [[1, 2, 3], [4, 5, 6]] become columns.
    assert.equal(tensors['1.weight'], { shape: [3, 2], values: [1, 4, 2, 5, 3, 6] });
    assert.equal(tensors['1.bias'].values.map(Math.fround), [0.1, 0.2, 0.3].map(Math.fround));
    assert.equal(tensors['3.weight'], { shape: [3, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    assert.equal(tensors['3.bias'], { shape: [3], values: [-1, 0, 1] });
    assert.equal(tensors['4.weight'], { shape: [2, 3], values: [7, 9, 11, 8, 10, 12] });
    assert.match(out, `model = ${sequential}\n`);
    assert.match(out, `model.load_state_dict(load_file("${join(run, 'model.pytorch.safetensors')}"))`);
  },
);

s('the exported modules, applied as PyTorch does (y = x·Wᵀ + b), give the loaded model’s outputs', async () => {
  await exportRun(run, '--out', join(root, 'torch.safetensors'));
  const { tensors } = readExport(join(root, 'torch.safetensors'));
  const linear = (x: number[], i: number) => {
    const { shape, values } = tensors[`${i}.weight`];
    return Array.from({ length: shape[0] }, (_, j) =>
      x.reduce((sum, xk, k) => sum + xk * values[j * shape[1] + k], tensors[`${i}.bias`].values[j]),
    );
  };
  const rows = [
    [1, 2],
    [-0.5, 0.25],
    [3, -1],
  ];
  const expected = rows.flatMap((x) => linear(linear(linear(linear(x, 0), 1).map(Math.tanh), 3), 4));
  const actual = loadModel(run).forward(rows);
  expected.forEach((v, i) =>
    assert.ok(Math.abs(actual[i] - v) <= 1e-5 * (1 + Math.abs(v)), `${i}: ${actual[i]} vs ${v}`),
  );
});

/**
 * An image model: conv2d (stride and padding that differ across), relu, maxpool, batch-norm and an
 * affine layer on images (nested Flatten modules), layer-norm, affine. Its export, applied as PyTorch
 * defines each module (a direct convolution over the zero-padded image, not im2col), gives the loaded
 * model's outputs.
 */
const imageConfig: RunConfigInput = {
  seed: 1,
  data: { source: 'synthetic', kind: 'xor', n: 20 },
  model: {
    layers: [
      { type: 'conv2d', filters: 2, kernel: [2, 3], stride: [2, 1], padding: [1, 1] },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'batch-norm', momentum: 0.75 },
      { type: 'affine', units: 3 },
      { type: 'layer-norm' },
      { type: 'affine', units: 2 },
    ],
  },
  train: {},
};
const imageWeights = {
  // [filters 2, channels 1, 2, 3]
  'layers.0.weight': [0.5, -1, 0.25, 1, 0.75, -0.5, -0.25, 0.5, 1, -1, 0.5, 0.25],
  'layers.0.bias': [0.1, -0.2],
  'layers.3.gamma': [1.5, 0.5, -1, 2],
  'layers.3.beta': [0, 0.1, 0.2, -0.3],
  'layers.3.running_mean': [0.5, 1, -0.5, 0.25],
  'layers.3.running_var': [2, 0.5, 1, 4],
  // [in 4, out 3]
  'layers.4.weight': [1, -1, 0.5, 0.25, 2, -0.5, -1, 0.5, 1, 0.75, -0.25, 1.5],
  'layers.4.bias': [0.1, 0, -0.1],
  'layers.5.gamma': [1, -0.5, 2],
  'layers.5.beta': [0.5, 0, -0.5],
  // [in 3, out 2]
  'layers.6.weight': [1, -2, 0.5, 1, -1, 0.25],
  'layers.6.bias': [0.3, -0.3],
};
const imageRun = join(root, 'image-run');
handMadeRun(imageRun, imageConfig, { features: 20, classes: 2 }, imageWeights, [1, 4, 5]);

s(
  'an image model: Conv2d, MaxPool2d, nested Flatten modules, BatchNorm1d, LayerNorm, and the reshape line',
  async () => {
    const { code, out } = await exportRun(imageRun, '--out', join(root, 'image.safetensors'));
    assert.is(code, 0);
    const sequential =
      'nn.Sequential(nn.Conv2d(1, 2, kernel_size=(2, 3), stride=(2, 1), padding=(1, 1)), nn.ReLU(), ' +
      'nn.MaxPool2d(kernel_size=(2, 2), stride=(2, 2)), ' +
      'nn.Sequential(nn.Flatten(), nn.BatchNorm1d(4, eps=0.00001, momentum=0.25), nn.Unflatten(1, (2, 1, 2))), ' +
      'nn.Sequential(nn.Flatten(), nn.Linear(4, 3)), nn.LayerNorm((3,), eps=0.00001), nn.Linear(3, 2))';
    assert.match(out, `model = ${sequential}\n`);
    assert.match(out, 'model.eval()');
    assert.match(out, 'x = x.reshape(-1, 1, 4, 5)');
    const { metadata, tensors } = readExport(join(root, 'image.safetensors'));
    assert.is(metadata.module, sequential);
    assert.equal(Object.keys(tensors).sort(), [
      '0.bias',
      '0.weight',
      '3.1.bias',
      '3.1.running_mean',
      '3.1.running_var',
      '3.1.weight',
      '4.1.bias',
      '4.1.weight',
      '5.bias',
      '5.weight',
      '6.bias',
      '6.weight',
    ]);
    assert.equal(tensors['0.weight'].shape, [2, 1, 2, 3]);

    const t = (name: string) => tensors[name].values;
    const conv = (image: number[]) => {
      const [w, b] = [t('0.weight'), t('0.bias')];
      const pixel = (y: number, x: number) => (y >= 0 && y < 4 && x >= 0 && x < 5 ? image[y * 5 + x] : 0);
      const out: number[] = [];
      for (let f = 0; f < 2; f++) {
        for (let a = 0; a < 3; a++) {
          for (let c = 0; c < 5; c++) {
            let sum = b[f];
            for (let i = 0; i < 2; i++)
              for (let j = 0; j < 3; j++) sum += w[f * 6 + i * 3 + j] * pixel(2 * a - 1 + i, c - 1 + j);
            out.push(sum);
          }
        }
      }
      return out; // [2, 3, 5]
    };
    // 2×2 windows, stride 2, on each 3×5 plane: one row of windows (rows 0–1), two across (columns 0–1, 2–3).
    const maxpool = (v: number[]) =>
      [0, 1].flatMap((f) =>
        [0, 2].map((c) => Math.max(...[0, 1].flatMap((i) => [0, 1].map((j) => v[f * 15 + i * 5 + c + j])))),
      );
    const batchNorm = (v: number[]) =>
      v.map(
        (x, k) =>
          ((x - t('3.1.running_mean')[k]) / Math.sqrt(t('3.1.running_var')[k] + 1e-5)) * t('3.1.weight')[k] +
          t('3.1.bias')[k],
      );
    const linear = (v: number[], prefix: string) => {
      const { shape, values } = tensors[`${prefix}weight`];
      return Array.from({ length: shape[0] }, (_, j) =>
        v.reduce((sum, x, k) => sum + x * values[j * shape[1] + k], t(`${prefix}bias`)[j]),
      );
    };
    const layerNorm = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      return v.map((x, k) => ((x - mean) / Math.sqrt(variance + 1e-5)) * t('5.weight')[k] + t('5.bias')[k]);
    };
    const rows = [
      Array.from({ length: 20 }, (_, i) => ((i * 7) % 11) / 10 - 0.3),
      Array.from({ length: 20 }, (_, i) => Math.sin(i + 1)),
    ];
    const expected = rows.flatMap((image) =>
      linear(layerNorm(linear(batchNorm(maxpool(conv(image).map((v) => Math.max(0, v)))), '4.1.')), '6.'),
    );
    const actual = loadModel(imageRun).forward(rows);
    expected.forEach((v, i) =>
      assert.ok(Math.abs(actual[i] - v) <= 1e-5 * (1 + Math.abs(v)), `${i}: ${actual[i]} vs ${v}`),
    );
  },
);

s('refuses an unknown format, a directory as --out, a run that is not one', async () => {
  const format = await exportRun(run, '--format', 'onnx');
  assert.is(format.code, 2);
  assert.match(format.err, '✖ --format must be one of pytorch, got "onnx" → at --format');
  mkdirSync(join(root, 'dir'), { recursive: true });
  assert.match((await exportRun(run, '--out', join(root, 'dir'))).err, '--out is a directory');
  assert.match((await exportRun(join(root, 'nope'))).err, 'run directory not found');
});

s('spawned: npm run export', async () => {
  const result = await runScript('export', [run, '--format', 'pytorch', '--out', join(root, 'spawned.safetensors')]);
  assert.is(result.stderr, '');
  assert.is(result.code, 0);
  assert.match(result.stdout, 'from safetensors.torch import load_file');
  assert.equal(readExport(join(root, 'spawned.safetensors')).tensors['1.weight'].values, [1, 4, 2, 5, 3, 6]);
});

s.run();
