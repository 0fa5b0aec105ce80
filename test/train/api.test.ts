import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError, loadConfig, parseConfig, train } from '../../src/index.ts';
import { mnistConfig, repoRoot, withTimeout } from './helpers.ts';

/** The typed API: experiments are scripts. */
const s = suite('API');

s('loadConfig reads the bundled example with every default filled in', () => {
  const config = loadConfig(join(repoRoot, 'data/configs/mnist-mlp.json'));
  assert.is(config.name, 'mnist-mlp');
  assert.equal(config.data, { source: 'mnist', train: 8000, test: 2000, normalize: 'none' });
  assert.equal(config.train.optimizer, { type: 'sgd', learningRate: 0.1, weightDecay: 0 });
  assert.equal(config.parallel, {
    workers: 2,
    chunks: 4,
    kernels: 'wasm',
    inputStorage: 'auto',
    stepTimeoutSeconds: 120,
  });
  assert.equal(
    config.model.layers.map((l) => l.type),
    ['affine', 'relu', 'affine'],
  );
});

s('loadConfig names the file in its errors', () => {
  try {
    loadConfig('no/such/config.json');
    assert.unreachable('expected a UserError');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as Error).message, 'config file not found → at no/such/config.json');
  }
});

s('train() on a loaded config, with overrides, returns metrics, weights and a summary', async () => {
  const base = loadConfig(join(repoRoot, 'data/configs/mnist-mlp.json'));
  const config = {
    ...base,
    data: { source: 'mnist' as const, train: 500, test: 100 },
    train: { ...base.train, epochs: 2 },
  };
  const epochs: number[] = [];
  let steps = 0;
  const result = await withTimeout(
    train(config, { write: false, workers: 1, onEpoch: (m) => epochs.push(m.epoch), onStep: () => steps++ }),
    60_000,
    'train',
  );
  assert.equal(epochs, [1, 2]);
  assert.is(steps, 2 * 5);
  assert.is(result.metrics.length, 2);
  assert.is(result.summary.workers, 1, 'the workers option overrides the config');
  assert.is(result.config.parallel.workers, 1);
  assert.equal(Object.keys(result.weights), ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias']);
  assert.equal(result.weights['layers.0.weight'].shape, [784, 50]);
  assert.is(result.weights['layers.0.weight'].data.length, 784 * 50);
  assert.is(result.summary.parameters, 784 * 50 + 50 + 50 * 10 + 10);
  assert.instance(result.weights['layers.2.bias'].data, Float32Array);
  // The returned arrays are copies, not views of the (shared) arena.
  assert.not.instance(result.weights['layers.2.bias'].data.buffer, SharedArrayBuffer);
});

s('train() validates its input like the CLI: a UserError naming the field, before any work', async () => {
  const bad = { ...mnistConfig(), train: { epochs: 1, batchSize: 0 } };
  try {
    await train(bad, { write: false });
    assert.unreachable('expected a UserError');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as Error).message, '→ at train.batchSize');
  }
  // parseConfig fills defaults without training.
  assert.is(parseConfig(mnistConfig()).train.optimizer.weightDecay, 0);
});

s('train() does not modify the config object it is given', async () => {
  const config = mnistConfig({ epochs: 1 });
  const copy = structuredClone(config);
  await withTimeout(train(config, { write: false, workers: 3 }), 60_000, 'train');
  assert.equal(config, copy);
});

s.run();
