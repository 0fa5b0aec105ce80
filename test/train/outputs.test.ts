import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train, type TrainResult } from '../../src/index.ts';
import type { NamedTensor } from '../../src/io/safetensors.ts';
import { assertSameWeights, withTimeout } from './helpers.ts';
import { userErrorOf } from '../support/errors.ts';
import { tempDir } from '../support/temp.ts';
import { RUN_LISTING } from '../support/run-listing.ts';

/** What a run writes: config.json, metrics.jsonl, model.safetensors, summary.json; never overwriting by accident. */
const s = suite('run directory');
const root = tempDir('shardprop-train-');

/** A minimal input: every default (parallel, optimizer hyperparameters, init, data) left to the schema. */
function minimal(dir: string, seed = 4): RunConfigInput {
  return {
    seed,
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 3, batchSize: 32, optimizer: { type: 'adam' } },
    output: { dir },
  };
}
const run = (config: RunConfigInput, force = false) => withTimeout(train(config, { force }), 60_000, 'train');
const read = (dir: string, name: string) => readFileSync(join(dir, name));
/** Every regular file below `dir` with its bytes (hex), by relative path. */
const snapshot = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return [path, readFileSync(path).toString('hex')];
    })
    .sort();

/** safetensors read by hand: 8-byte LE header length, JSON header, raw little-endian F32 data. */
function parseSafetensors(bytes: Buffer) {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.is(headerLength % 8, 0, 'header padded to a multiple of 8 bytes');
  const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
  assert.match(headerText, /^\{.*\} *$/s, 'JSON, then space padding');
  const header = JSON.parse(headerText) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  > & { __metadata__?: Record<string, string> };
  const data = bytes.subarray(8 + headerLength);
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    assert.is(dtype, 'F32', `${name} dtype`);
    assert.is(end - begin, 4 * shape.reduce((a, b) => a * b, 1), `${name}: offsets span shape × 4 bytes`);
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = data.readFloatLE(begin + 4 * i);
    tensors[name] = { shape, data: values };
  }
  return { header, tensors, dataLength: data.length };
}

let result: TrainResult;
const dir = join(root, 'nested', 'run');

s.before(async () => {
  result = await run(minimal(dir));
});

s(
  'the directory holds exactly run.json, config.json, metrics.jsonl, model.safetensors, summary.json and checkpoints/',
  () => {
    assert.equal(readdirSync(dir).sort(), RUN_LISTING);
  },
);

s('config.json is the resolved config, every default filled in', () => {
  const config = JSON.parse(read(dir, 'config.json').toString());
  assert.equal(config, JSON.parse(JSON.stringify(result.config)));
  assert.equal(config.parallel, {
    workers: 'auto',
    chunks: 8,
    kernels: 'wasm',
    inputStorage: 'auto',
    stepTimeoutSeconds: 120,
  });
  assert.equal(config.train.optimizer, {
    type: 'adam',
    learningRate: 0.001,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
  });
  assert.equal(config.model.layers[0], { type: 'affine', units: 16, init: 'he', std: 0.01 });
  assert.is(config.model.loss, 'softmax-cross-entropy');
  assert.is(config.name, 'run');
  assert.is(config.output.dir, dir);
  assert.is(config.data.classes, 3);
  assert.is(config.data.testFraction, 0.2);
});

s('metrics.jsonl: one line per epoch with epoch, loss, accuracies, samples/s, seconds, workers', () => {
  const lines = read(dir, 'metrics.jsonl')
    .toString()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.is(lines.length, 3);
  lines.forEach((m, i) => {
    assert.is(m.epoch, i + 1);
    for (const key of ['loss', 'trainAccuracy', 'testAccuracy', 'samplesPerSec', 'seconds']) {
      assert.type(m[key], 'number', key);
      assert.ok(Number.isFinite(m[key]) && m[key] >= 0, `${key} = ${m[key]}`);
    }
    assert.ok(m.trainAccuracy <= 1 && m.testAccuracy <= 1);
    assert.ok(m.samplesPerSec > 0 && m.seconds > 0);
    assert.is(m.workers, 1, 'auto: 32 rows × 99 parameters per step is too little to share');
  });
  assert.equal(lines, JSON.parse(JSON.stringify(result.metrics)));
  // Adam on the spiral: the training loss falls epoch over epoch.
  assert.ok(lines[2].loss < lines[0].loss, `loss ${lines[0].loss} → ${lines[2].loss}`);
});

s(
  'model.safetensors parsed by hand: F32 tensors layers.N.weight/bias, shapes, offsets, equal to the returned weights',
  () => {
    const bytes = read(dir, 'model.safetensors');
    const { header, tensors, dataLength } = parseSafetensors(bytes);
    assert.equal(Object.keys(tensors), ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias']);
    assert.equal(header['layers.0.weight'].shape, [2, 16]);
    assert.equal(header['layers.0.bias'].shape, [16]);
    assert.equal(header['layers.2.weight'].shape, [16, 3]);
    assert.equal(header['layers.2.bias'].shape, [3]);
    // Offsets tile the data section with no gap or overlap.
    const spans = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .map(([, v]) => (v as { data_offsets: [number, number] }).data_offsets);
    let at = 0;
    for (const [begin, end] of spans) {
      assert.is(begin, at);
      at = end;
    }
    assert.is(at, dataLength);
    assert.is(at, 4 * 99, '2·16 + 16 + 16·3 + 3 = 99 parameters');
    assert.is(header.__metadata__?.format, 'shardprop');
    assert.is(header.__metadata__?.layout, 'in,out');
    assert.is(header.__metadata__?.epoch, '3');
    assertSameWeights(tensors, result.weights, 'file vs returned weights');
  },
);

s('summary.json: final loss and accuracies, seconds, samples/s, workers, chunks', () => {
  const summary = JSON.parse(read(dir, 'summary.json').toString());
  assert.equal(summary, JSON.parse(JSON.stringify(result.summary)));
  const last = result.metrics[2];
  assert.is(summary.name, 'run');
  assert.is(summary.epochs, 3);
  assert.is(summary.steps, 3 * Math.ceil(240 / 32));
  assert.is(summary.loss, last.loss);
  assert.is(summary.trainAccuracy, last.trainAccuracy);
  assert.is(summary.testAccuracy, last.testAccuracy);
  assert.is(summary.workers, 1, 'auto: 32 rows × 99 parameters per step is too little to share');
  assert.is(summary.chunks, 8);
  assert.is(summary.kernels, 'wasm');
  assert.is(summary.parameters, 99);
  assert.equal(Object.keys(summary.machine), ['cpu', 'cores', 'node', 'platform']);
  assert.is(summary.machine.node, process.version);
  assert.ok(summary.seconds > 0 && summary.samplesPerSec > 0);
});

s('an existing run is not overwritten without force, and left untouched', async () => {
  const before = snapshot(dir);
  const error = await userErrorOf(run(minimal(dir, 99)));
  assert.match(error.message, 'already holds a run');
  assert.match(error.message, '--force');
  assert.equal(snapshot(dir), before);
});

s("with force an existing run is replaced; files that are not the run's are kept", async () => {
  const forced = join(root, 'forced');
  await run(minimal(forced, 4));
  writeFileSync(join(forced, 'notes.txt'), 'old');
  const replaced = await run(minimal(forced, 5), true);
  assert.is(readFileSync(join(forced, 'notes.txt'), 'utf8'), 'old', '--force removes only what a run writes');
  assert.is(JSON.parse(read(forced, 'config.json').toString()).seed, 5);
  assertSameWeights(parseSafetensors(read(forced, 'model.safetensors')).tensors, replaced.weights, 'replaced weights');
  assert.is(read(forced, 'metrics.jsonl').toString().trimEnd().split('\n').length, 3, 'metrics start afresh');
});

s('a non-empty directory that holds no run is never deleted, even with force', async () => {
  const precious = join(root, 'precious');
  mkdirSync(precious);
  writeFileSync(join(precious, 'thesis.tex'), 'years of work');
  for (const force of [false, true]) {
    const error = await userErrorOf(run(minimal(precious), force));
    assert.match(error.message, 'is not empty and is not a shardprop run directory');
  }
  assert.equal(readdirSync(precious), ['thesis.tex']);
  assert.is(read(precious, 'thesis.tex').toString(), 'years of work');
});

s('an empty existing directory is used; a file in the way is refused', async () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  await run(minimal(empty));
  assert.ok(existsSync(join(empty, 'model.safetensors')));
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  const error = await userErrorOf(run(minimal(file), true));
  assert.match(error.message, 'not a directory');
  assert.is(readFileSync(file, 'utf8'), 'x');
});

s('write: false writes nothing', async () => {
  const none = join(root, 'none');
  await withTimeout(train(minimal(none), { write: false }), 60_000, 'train');
  assert.not.ok(existsSync(none));
});

s.run();
