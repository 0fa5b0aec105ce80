import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import { train } from '../../src/index.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { selectionNote } from '../../src/train/selection.ts';
import { assertSameWeights, tempDir, userErrorOf } from './helpers.ts';

/**
 * train.earlyStopping in the trainer. A minDelta larger than any change of the validation loss makes
 * epoch 1 the best and nothing an improvement after it, so with patience 2 the run must stop after
 * epoch 3 of 8: the stop, model.best.safetensors (epoch 1's weights) and the summary are checked
 * against that, and a run interrupted anywhere and resumed stops at the same epoch with the same
 * bytes.
 */
const s = suite('early stopping, wired into the trainer');

function config(dir: string, overrides: Partial<RunConfigInput['train']> = {}): RunConfigInput {
  return {
    seed: 9,
    data: { source: 'synthetic', kind: 'spiral', n: 300, validation: 0.25 },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: {
      epochs: 8,
      batchSize: 30,
      optimizer: { type: 'momentum', learningRate: 0.1 },
      earlyStopping: { metric: 'validationLoss', patience: 2, minDelta: 5 },
      ...overrides,
    },
    parallel: { workers: 1, chunks: 3, kernels: 'wasm' },
    checkpoint: { everySteps: 4, keep: 2 },
    output: { dir },
  };
}

const json = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const bestFile = (dir: string) => decodeSafetensors(readFileSync(join(dir, 'model.best.safetensors')));
const withoutTiming = (metrics: object[]) =>
  metrics.map((m) => {
    const { seconds: _s, samplesPerSec: _r, workers: _w, ...rest } = m as Record<string, unknown>;
    return rest;
  });

let reference: { dir: string; metrics: object[]; summary: Record<string, unknown> };

s.before(async () => {
  const dir = tempDir('early-');
  const run = await train(config(dir));
  reference = { dir, metrics: withoutTiming(run.metrics), summary: json(dir, 'summary.json') };
});

s('stops after patience epochs without improvement; the best epoch is kept and named', async () => {
  const { dir, summary } = reference;
  assert.is(reference.metrics.length, 3, 'epoch 1 is the best, epochs 2 and 3 do not improve: stop after 3');
  assert.is(summary.epochs, 3);
  assert.is(summary.status, 'complete');
  assert.is(summary.bestEpoch, 1);
  assert.is(summary.bestValue, (reference.metrics[0] as { validationLoss: number }).validationLoss);
  assert.is(summary.stoppedEarly, true);
  // The test split was not looked at during the run; it is scored at the end, for both weights.
  for (const m of reference.metrics) assert.is((m as { testAccuracy: unknown }).testAccuracy, null);
  for (const key of ['testAccuracy', 'testLoss', 'bestTestAccuracy', 'bestTestLoss']) {
    assert.type(summary[key], 'number', key);
  }
  // model.best.safetensors holds epoch 1's weights: those of the same run cut at 1 epoch.
  const oneEpoch = await train(config(tempDir('early-1-'), { epochs: 1, earlyStopping: undefined }));
  assertSameWeights(bestFile(dir), oneEpoch.weights, 'model.best.safetensors vs a 1-epoch run');
  assert.is(summary.bestTestAccuracy, oneEpoch.summary.testAccuracy);
  assert.is(
    selectionNote(summary as never, 'validationLoss'),
    `; stopped early, best epoch 1 (validationLoss ${(summary.bestValue as number).toFixed(4)}, ` +
      `model.best.safetensors, test accuracy ${summary.bestTestAccuracy})`,
  );
});

s('a run stopped mid-way and resumed stops at the same epoch, with the same files', async () => {
  for (const [stopAt, workers] of [
    [5, 2],
    [17, 1],
  ]) {
    const dir = tempDir('early-resume-');
    const controller = new AbortController();
    let steps = 0;
    const first = await train(config(dir), {
      signal: controller.signal,
      onStep: () => ++steps === stopAt && controller.abort(),
    });
    assert.is(first.summary.status, 'interrupted');
    const resumed = await train(config(dir), { resume: true, workers });
    assert.equal(withoutTiming(resumed.metrics), reference.metrics, `metrics after a stop at step ${stopAt}`);
    const summary = json(dir, 'summary.json');
    for (const key of ['epochs', 'bestEpoch', 'bestValue', 'stoppedEarly', 'testAccuracy', 'bestTestAccuracy']) {
      assert.equal(summary[key], reference.summary[key], `${key} after a stop at step ${stopAt}`);
    }
    assertSameWeights(bestFile(dir), bestFile(reference.dir), 'model.best.safetensors');
  }
});

s('killed after the stopping epoch was checkpointed: resuming trains nothing more', async () => {
  const dir = tempDir('early-done-');
  await train(config(dir));
  rmSync(join(dir, 'summary.json'));
  const resumed = await train(config(dir), { resume: true });
  assert.equal(withoutTiming(resumed.metrics), reference.metrics);
  assert.is(resumed.summary.epochs, 3);
  assert.is(resumed.summary.stoppedEarly, true);
});

s('without improvement criteria met the run goes on; a validation metric needs data.validation', async () => {
  const dir = tempDir('early-none-');
  const run = await train(config(dir, { epochs: 3, earlyStopping: { metric: 'loss', patience: 5, minDelta: 0 } }));
  assert.is(run.summary.epochs, 3);
  assert.is(run.summary.stoppedEarly, false);
  assert.ok(existsSync(join(dir, 'model.best.safetensors')));
  const c = config(dir);
  const error = await userErrorOf(
    train({ ...c, data: { source: 'synthetic', kind: 'spiral', n: 300 } }, { write: false }),
  );
  assert.match(error.message, 'needs a validation split');
  assert.match(error.message, '→ at train.earlyStopping.metric');
});

s.run();
