import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { loadDataset } from '../../src/data/load.ts';
import { stressCase, transitionsOf, type StressCase } from '../../src/stress/plan.ts';

/**
 * The configs of `npm run stress` and the phase changes it counts for them (src/stress/plan.ts):
 * the counts are written out by hand from the sequence of phases a run goes through.
 */
const s = suite('stress plan');

/** A case of the given shape (only the fields transitionsOf reads). */
function shape(trainRows: number, testRows: number, batchSize: number, chunks: number, epochs: number): StressCase {
  return {
    trainRows,
    testRows,
    config: {
      name: 'shape',
      data: { source: 'synthetic', kind: 'spiral' },
      model: { layers: [] },
      train: { batchSize, epochs },
      parallel: { chunks },
    },
  };
}

const counts = (c: StressCase) => Object.fromEntries(transitionsOf(c));

s('no test split: steps follow each other across epochs, a short last batch is its own kind', () => {
  // 10 rows in batches of 4: steps of 4, 4, 2 rows. Epoch 1: s1→s2, s2→s3 (short); epoch 2 starts
  // straight after: s3→s1', s1'→s2', s2'→s3' (short); then the stop.
  assert.equal(counts(shape(10, 0, 4, 2, 2)), {
    'TRAIN→TRAIN': 3,
    'TRAIN→TRAIN into a short batch': 2,
    '→STOP': 1,
  });
});

s('with a test split: each epoch ends in an evaluation, which the next epoch leaves', () => {
  // 8 rows in batches of 4 on 4 chunks (1 row each): s1→s2, s2→EVAL per epoch. 5 test rows at 1 row
  // a chunk are 5 evaluation chunks, not fewer than training's 4.
  assert.equal(counts(shape(8, 5, 4, 4, 3)), {
    'TRAIN→TRAIN': 3,
    'TRAIN→EVAL': 3,
    'EVAL→TRAIN with fewer or as many chunks': 2,
    '→STOP': 1,
  });
  // 1 test row is 1 evaluation chunk: training after it takes more chunks (the race of issue 8).
  assert.equal(counts(shape(8, 1, 8, 4, 2)), {
    'TRAIN→EVAL': 2,
    'EVAL→TRAIN with more chunks': 1,
    '→STOP': 1,
  });
});

s('a batch larger than the training split is one step of all its rows', () => {
  // 6 rows, batch 100: one full step per epoch, never short; 3 epochs are s→s→s→stop.
  assert.equal(counts(shape(6, 0, 100, 3, 3)), { 'TRAIN→TRAIN': 2, '→STOP': 1 });
});

s('the same seed and index give the same case; the cases vary in every drawn setting', () => {
  assert.equal(stressCase(5, 3), stressCase(5, 3));
  const cases = Array.from({ length: 60 }, (_, i) => stressCase(1, i));
  const chunks = new Set(cases.map((c) => c.config.parallel?.chunks));
  assert.equal([...chunks].sort(), [1, 2, 3, 4, 5, 6, 7, 8], 'chunk counts 1 to 8');
  assert.ok(
    cases.some((c) => c.testRows === 0) && cases.some((c) => c.testRows > 0),
    'runs with and without a test split',
  );
  const kinds = new Set(cases.flatMap((c) => [...transitionsOf(c).keys()]));
  assert.is(kinds.size, 6, `every kind of phase change occurs: ${[...kinds].join(', ')}`);
});

s('its train and test row counts are the ones the data loader gives the trainer', async () => {
  // The counts of phase changes are derived from them: a split rounded differently miscounts.
  for (let index = 0; index < 40; index++) {
    const c = stressCase(1, index);
    const config = parseConfig(c.config);
    const dataset = await loadDataset(config.data, config.seed);
    const where = `case ${index}: ${JSON.stringify(c.config.data)}`;
    assert.is(dataset.train.count, c.trainRows, where);
    assert.is(dataset.test?.count ?? 0, c.testRows, where);
  }
});

s.run();
