import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';

const s = suite('run config defaults');
const base = { data: { source: 'mnist' }, model: { layers: [{ type: 'affine', units: 10 }] }, train: {} };

/** The bytes the run directory's config.json holds for this resolved config (RunDirectory.writeJson). */
const written = (input: object): string => JSON.stringify(parseConfig({ ...base, ...input }), null, 2) + '\n';

/** Hand-written: every default of a config that states only data, one layer and an empty train. */
const resolved = (sections: { train?: object; parallel?: object } = {}) => ({
  name: 'run',
  seed: 42,
  data: { source: 'mnist', train: 8000, test: 2000, normalize: 'none' },
  model: { layers: [{ type: 'affine', units: 10, init: 'he', std: 0.01 }], loss: 'softmax-cross-entropy' },
  train: {
    epochs: 1,
    batchSize: 100,
    optimizer: { type: 'sgd', learningRate: 0.1, weightDecay: 0 },
    ...sections.train,
  },
  parallel: {
    workers: 'auto',
    chunks: 8,
    kernels: 'wasm',
    inputStorage: 'auto',
    stepTimeoutSeconds: 120,
    ...sections.parallel,
  },
  checkpoint: { everySeconds: 300, keep: 2 },
  output: { dir: 'runs/run' },
});
const text = (value: object): string => JSON.stringify(value, null, 2) + '\n';

s('fills in every section left out, byte for byte as config.json is written', () => {
  assert.is(written({}), text(resolved()));
});

s('an empty parallel or output section resolves as a missing one', () => {
  assert.is(written({ parallel: {}, output: {} }), text(resolved()));
});

s('a partly stated parallel section keeps the defaults of the rest', () => {
  assert.is(written({ parallel: { chunks: 4 } }), text(resolved({ parallel: { chunks: 4 } })));
});

s('an optimizer given by type alone gets that optimizer’s defaults', () => {
  const adam = { type: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
  assert.is(written({ train: { optimizer: { type: 'adam' } } }), text(resolved({ train: { optimizer: adam } })));
});

s('a missing optimizer is sgd with its own defaults', () => {
  const config = parseConfig({ ...base, train: { epochs: 2 } });
  assert.equal(config.train.optimizer, { type: 'sgd', learningRate: 0.1, weightDecay: 0 });
});

s.run();
