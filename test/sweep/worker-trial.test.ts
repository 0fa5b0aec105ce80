import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRunFiles, type TrialJob } from '../../src/sweep/job.ts';
import { parseSweep } from '../../src/sweep/load.ts';
import { readCompletedTrial } from '../../src/sweep/results.ts';
import { RunnerPool } from '../../src/sweep/runner-pool.ts';
import { DeterministicTrialError, scratchDirectory, trainQueuedTrial } from '../../src/sweep/worker-trial.ts';
import { scratchDir, sha256, tinyBase } from './helpers.ts';
import { RUN_LISTING } from '../support/run-listing.ts';

const s = suite('a queued trial on a worker (no Redis): sent back, or written to a shared directory');
const dir = scratchDir('worker');
const pool = new RunnerPool();
const { trials } = parseSweep({ name: 'w', base: tinyBase(), grid: { seed: [1, 2] } }, 's.json', () => 'unused');
const job = (i: number, extra: Partial<TrialJob> = {}): TrialJob => ({
  sweep: 'w',
  id: trials[i].id,
  config: trials[i].config,
  maxWeightBytes: 2 ** 20,
  sharedDir: null,
  ...extra,
});
const noProgress = () => {};

s('sent back: the run files (no marker), scratch removed; written out, they make a complete trial', async () => {
  const scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  const result = await trainQueuedTrial(job(0), 'w1', 1, pool, scratch, noProgress);
  assert.is(result.worker, 'w1');
  // The run's files, less its marker and lock (the receiving side claims its own directory) and checkpoints.
  assert.equal(
    Object.keys(result.files!).sort(),
    RUN_LISTING.filter((n) => n !== 'run.json' && n !== 'checkpoints'),
  );
  assert.equal(readdirSync(scratch), [], 'the scratch directory is cleaned up');
  const out = join(dir, 'collected');
  writeRunFiles(join(out, 'trials', trials[0].id), result.files!);
  const complete = readCompletedTrial(trials[0], out, 'testAccuracy');
  assert.ok(complete, 'complete');
  const weights = Buffer.from(result.files!['model.safetensors'], 'base64');
  assert.is(complete!.weightsSha256, sha256(join(out, 'trials', trials[0].id, 'model.safetensors')));
  assert.ok(weights.equals(readFileSync(join(out, 'trials', trials[0].id, 'model.safetensors'))));
  const config = JSON.parse(readFileSync(join(out, 'trials', trials[0].id, 'config.json'), 'utf8'));
  assert.is(config.output.dir, join(out, 'trials', trials[0].id), 'config.json names where it now is');
});

s('shared directory: trained in staging, renamed over an unfinished attempt, nothing sent back', async () => {
  const shared = join(dir, 'shared');
  const target = join(shared, 'trials', trials[1].id);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'config.json'), '{}'); // an attempt killed early
  const result = await trainQueuedTrial(job(1, { sharedDir: shared }), 'w2', 1, pool, 'unused', noProgress);
  assert.equal(result, { worker: 'w2' });
  assert.ok(readCompletedTrial(trials[1], shared, 'testAccuracy'), 'complete in place');
  assert.is(JSON.parse(readFileSync(join(target, 'config.json'), 'utf8')).output.dir, target);
  assert.equal(readdirSync(join(shared, '.staging')), [], 'staging emptied');
});

s('weights over the limit: the trial stops after its first epoch with an error that says what to do', async () => {
  const scratch = join(dir, 'scratch');
  let epochs = 0;
  try {
    await trainQueuedTrial(job(0, { maxWeightBytes: 100 }), 'w1', 1, pool, scratch, () => epochs++);
    assert.unreachable('the trial should fail');
  } catch (error) {
    assert.instance(error, DeterministicTrialError);
    assert.match((error as Error).message, /the weights are 0\.0 MiB, over the 0\.0 MiB that a worker sends back/);
    assert.match((error as Error).message, /raise --max-weights, or give the workers a shared directory \(--shared\)/);
  }
  assert.is(epochs, 0, 'stopped at the end of epoch 1, before reporting it');
  assert.equal(readdirSync(scratch), []);
});

s('scratch directories of workers that are gone are removed; a live one is kept', () => {
  const base = join(dir, 'scratch-base');
  mkdirSync(join(base, '999999999'), { recursive: true }); // no such process
  mkdirSync(join(base, String(process.ppid)), { recursive: true }); // alive: our parent
  const mine = scratchDirectory(base);
  assert.is(mine, join(base, String(process.pid)));
  assert.not.ok(existsSync(join(base, '999999999')));
  assert.ok(existsSync(join(base, String(process.ppid))));
});

s.after(() => pool.close());
s.run();
