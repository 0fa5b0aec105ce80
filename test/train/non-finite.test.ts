import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { decodeSafetensors, train } from '../../src/index.ts';
import { KERNELS, assertSameWeights, withTimeout } from './helpers.ts';
import { userErrorOf } from '../support/errors.ts';
import { tempDir } from '../support/temp.ts';

/**
 * A huge learning rate: the run stops with a UserError naming epoch, step and parameter, and the
 * run directory keeps the last good (finite) checkpoint if an epoch finished, none otherwise.
 */
const s = suite('non-finite');
const root = tempDir('shardprop-train-');
let runs = 0;

function diverging(
  kernels: 'reference' | 'wasm',
  layers: RunConfigInput['model']['layers'],
  batchSize: number,
  epochs: number,
): RunConfigInput {
  return {
    seed: 5,
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers, loss: 'mse' },
    train: { epochs, batchSize, optimizer: { type: 'sgd', learningRate: 1e30 } },
    parallel: { workers: 2, chunks: 4, kernels },
    output: { dir: join(root, `run-${++runs}`) },
  };
}
const sigmoidNet: RunConfigInput['model']['layers'] = [
  { type: 'affine', units: 16 },
  { type: 'sigmoid' },
  { type: 'affine', units: 3 },
];
const run = (config: RunConfigInput, write = true) => withTimeout(train(config, { write }), 60_000, 'train');

function checkpoint(config: RunConfigInput) {
  return decodeSafetensors(readFileSync(join(config.output!.dir!, 'model.safetensors')));
}

for (const kernels of KERNELS) {
  s(`${kernels}: divergence inside epoch 1 names epoch, step and parameter; no checkpoint is written`, async () => {
    // Batch 32: step 1 throws the weights to ~1e29, step 2's gradient overflows.
    const config = diverging(kernels, sigmoidNet, 32, 3);
    const error = await userErrorOf(run(config));
    assert.match(error.message, /diverged at epoch 1, step 2\b/);
    assert.match(error.message, /non-finite/);
    assert.match(error.message, /layers\.\d\.(weight|bias)|the loss/);
    assert.is(error.exitCode, 1);
    assert.ok(existsSync(join(config.output!.dir!, 'config.json')), 'the claimed run directory holds its config');
    assert.not.ok(existsSync(join(config.output!.dir!, 'model.safetensors')), 'no epoch finished: no weights');
    assert.not.ok(existsSync(join(config.output!.dir!, 'summary.json')));
  });

  s(`${kernels}: divergence in epoch 2 keeps epoch 1's finite weights on disk`, async () => {
    // One step per epoch: epoch 1 ends with huge but finite weights, epoch 2's gradient overflows.
    const config = diverging(kernels, sigmoidNet, 300, 3);
    const error = await userErrorOf(run(config));
    assert.match(error.message, /diverged at epoch 2, step 1\b/);
    assert.match(error.message, /layers\.\d\.(weight|bias)/);
    assert.match(error.message, 'model.safetensors');
    const kept = checkpoint(config);
    for (const [name, t] of Object.entries(kept)) assert.ok(t.data.every(Number.isFinite), `${name} is finite`);
    const epochOne = await run({ ...config, train: { ...config.train, epochs: 1 } }, false);
    assertSameWeights(kept, epochOne.weights, 'kept checkpoint vs a 1-epoch run');
    const metrics = readFileSync(join(config.output!.dir!, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.is(metrics.length, 1, 'one finished epoch');
  });

  s(
    `${kernels}: an update that overflows the weights after an epoch's last step is not checkpointed or returned`,
    async () => {
      // affine + mse, one step per epoch: epoch 2's gradient is ~1e30 (finite), the update ×1e30 gives ±Inf.
      const config = diverging(kernels, [{ type: 'affine', units: 3 }], 300, 2);
      const error = await userErrorOf(run(config));
      assert.match(error.message, /diverged at epoch 2, step 1\b/);
      assert.match(error.message, 'layers.0.weight');
      const kept = checkpoint(config);
      for (const [name, t] of Object.entries(kept)) assert.ok(t.data.every(Number.isFinite), `${name} is finite`);
      const epochOne = await run({ ...config, train: { ...config.train, epochs: 1 } }, false);
      assertSameWeights(kept, epochOne.weights, 'kept checkpoint vs a 1-epoch run');
    },
  );
}

s('without a run directory the message does not point at one', async () => {
  const error = await userErrorOf(run(diverging('reference', sigmoidNet, 32, 1), false));
  assert.match(error.message, 'diverged at epoch 1');
  assert.not.match(error.message, 'safetensors');
});

s.run();
