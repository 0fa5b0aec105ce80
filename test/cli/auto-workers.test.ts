import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { planModel } from '../../src/model/plan.ts';
import { chooseWorkers, MIN_FLOPS_PER_THREAD } from '../../src/train/auto-workers.ts';

const s = suite('parallel.workers: "auto"');

/** The MNIST example's step: its model on 784 features, its batch and chunks. */
function mnistExample(cores: number) {
  const raw = JSON.parse(readFileSync('data/configs/mnist-mlp.json', 'utf8'));
  const config = parseConfig({ ...raw, parallel: { ...raw.parallel, workers: 'auto' } });
  const paramCount = planModel(config.model, 784).paramCount;
  assert.is(paramCount, 784 * 50 + 50 + 50 * 10 + 10);
  return chooseWorkers(config.parallel.workers, {
    batchRows: config.train.batchSize,
    paramCount,
    chunks: config.parallel.chunks,
    cores,
  });
}

s('is the default', () => {
  const config = parseConfig({
    data: { source: 'synthetic', kind: 'xor' },
    model: { layers: [{ type: 'affine', units: 2 }] },
    train: {},
  });
  assert.is(config.parallel.workers, 'auto');
});

s('an iris-sized run gets 1 worker, whatever the cores', () => {
  // 4 features → 16 → 3 classes: 4·16 + 16 + 16·3 + 3 = 131 parameters; batch 100 of 150 rows.
  for (const cores of [2, 8, 64]) {
    const choice = chooseWorkers('auto', { batchRows: 100, paramCount: 131, chunks: 8, cores });
    assert.is(choice.count, 1);
    assert.ok(choice.auto);
    assert.match(choice.why, 'auto: 78.6 kFLOP per step, too little to share between threads');
  }
});

s('the MNIST example gets every core (2 and 4), at most one thread per chunk (its 4 chunks on 8 cores)', () => {
  const two = mnistExample(2);
  assert.is(two.count, 2);
  assert.is(two.why, 'auto: 23.9 MFLOP per step, all 2 cores');
  assert.is(mnistExample(4).count, 4);
  const eight = mnistExample(8);
  assert.is(eight.count, 4);
  assert.is(eight.why, 'auto: 23.9 MFLOP per step, one per chunk of the batch');
});

s('between the two: one thread per MIN_FLOPS_PER_THREAD of step work', () => {
  const work = (flops: number) => ({ batchRows: 100, paramCount: flops / 600, chunks: 64, cores: 32 });
  assert.is(chooseWorkers('auto', work(MIN_FLOPS_PER_THREAD * 2 - 600)).count, 1, 'just under 2 threads of work');
  assert.is(chooseWorkers('auto', work(MIN_FLOPS_PER_THREAD * 2)).count, 2);
  assert.is(chooseWorkers('auto', work(MIN_FLOPS_PER_THREAD * 5.5)).count, 5);
  assert.match(chooseWorkers('auto', work(MIN_FLOPS_PER_THREAD * 5.5)).why, '4.00 MFLOP or more per thread');
  assert.is(chooseWorkers('auto', work(1e12)).count, 32, 'capped by the cores');
});

s('an explicit number is obeyed, even beyond the cores or for a tiny net', () => {
  assert.equal(chooseWorkers(3, { batchRows: 1, paramCount: 5, chunks: 1, cores: 2 }), {
    count: 3,
    auto: false,
    why: 'as configured',
  });
});

s('a bad value names the field and what is allowed', () => {
  const data = { source: 'synthetic', kind: 'xor' } as const;
  const model = { layers: [{ type: 'affine', units: 2 }] } as const;
  for (const workers of ['many', 1.5] as unknown as number[]) {
    try {
      parseConfig({ data, model, train: {}, parallel: { workers } });
      assert.unreachable('accepted ' + workers);
    } catch (error) {
      assert.match((error as Error).message, 'expected "auto" or a whole number from 1 to 256');
      assert.match((error as Error).message, 'parallel.workers');
    }
  }
});

s.run();
