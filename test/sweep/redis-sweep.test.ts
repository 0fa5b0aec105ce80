import '../../src/sweep/no-native.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSweep } from '../../src/sweep/load.ts';
import { KEY_PREFIX, parseRedisUrl, REGISTRY_KEY } from '../../src/sweep/redis.ts';
import type { TrialResult } from '../../src/sweep/results.ts';
import { rankedTable, readResults, scratchDir, sha256, sweepCli, tinyBase, writeJson } from './helpers.ts';
import { redisUrlOrSkip, sleep, startWorker, withTimeout, type WorkerProcess } from './redis-helpers.ts';

const s = suite('distributed sweep: two workers on Redis, one killed mid-trial');
const url = redisUrlOrSkip(s);

if (url) {
  const dir = scratchDir('redis');
  const name = `redis-test-${process.pid}`;
  // A slow trial (~0.3 s an epoch on one thread) to kill a worker in, small ones, and one that
  // diverges (lr 1e30): a failure that must be reported once, not retried.
  const slow = {
    'data.n': 10000,
    'train.epochs': 3,
    'train.batchSize': 100,
    'model.layers': [
      { type: 'affine', units: 256 },
      { type: 'relu' },
      { type: 'affine', units: 256 },
      { type: 'relu' },
      { type: 'affine', units: 3 },
    ],
  };
  const file = writeJson(join(dir, 'sweep.json'), {
    name,
    base: tinyBase(),
    list: [slow, { 'train.optimizer.learningRate': 0.05 }, { 'train.optimizer.learningRate': 1e30 }, {}],
  });
  const { trials } = parseSweep(JSON.parse(readFileSync(file, 'utf8')), file, () => 'x');
  const [slowTrial, , divergingTrial] = trials;
  const workers: WorkerProcess[] = [];

  s('the results equal a local sweep’s, byte for byte on the weights', async () => {
    // wa starts while the local sweep runs (until trials are queued it only waits); 2 trials at once on
    // 2 cores: one thread each (a trial on 2 threads starts worker threads: slower on a busy machine).
    const wa = startWorker(url, 'wa', '--concurrent', '2', '--stall-seconds', '2');
    workers.push(wa);
    const local = await sweepCli(dir, 'sweep.json', '--out', 'local');
    assert.is(local.code, 1, 'the diverging trial fails\n' + local.stderr);
    await wa.ready;
    const submitted = sweepCli(dir, 'sweep.json', '--out', 'dist', '--queue', url);
    const killed = await killWhoeverRuns(url, name, slowTrial.id, workers);
    assert.is(killed.worker, wa);
    assert.ok(killed.epoch >= 1 && killed.epoch < 3, `killed after epoch ${killed.epoch} of 3`);
    // wb comes after the kill: it must find the trial stalled by itself (nothing is waiting in the queue)
    const wb = startWorker(url, 'wb', '--concurrent', '2', '--stall-seconds', '2');
    workers.push(wb);
    const dist = await withTimeout(submitted, 60_000);
    assert.is(dist.code, 1, dist.stderr);
    const byId = new Map(readResults(join(dir, 'dist')).map((r) => [r.id, r]));
    assert.is(byId.get(slowTrial.id)!.worker, 'wb', 'the killed trial was finished by the other worker');

    const localResults = readResults(join(dir, 'local'));
    const distResults = readResults(join(dir, 'dist'));
    assert.equal(
      distResults.map((r) => r.id),
      localResults.map((r) => r.id),
    );
    for (const [i, r] of localResults.entries()) assert.equal(comparable(distResults[i]), comparable(r), r.id);
    for (const r of localResults.filter((r) => r.status === 'done')) {
      const weights = (root: string) => sha256(join(dir, root, 'trials', r.id, 'model.safetensors'));
      assert.ok(weights('local'), r.id);
      assert.is(weights('dist'), weights('local'), `weights of ${r.id}`);
    }
    const table = (stdout: string) => rankedTable(stdout).replace(/; the last good weights.*/g, '');
    assert.is(table(dist.stdout), table(local.stdout));
    assert.match(dist.stdout, /✖ failed \(w[ab]\): .*training diverged at epoch 1/);
  });

  s('a re-run keeps the trial that failed with its own error (no --retry-failed): nothing is queued', async () => {
    const byId = new Map(readResults(join(dir, 'dist')).map((r) => [r.id, r]));
    assert.is(byId.get(divergingTrial.id)!.failure, 'error', 'the worker marked it as its own error');
    const again = await withTimeout(sweepCli(dir, 'sweep.json', '--out', 'dist', '--queue', url), 30_000);
    assert.is(again.code, 1, 'the kept failure still counts\n' + again.stderr);
    assert.match(again.stdout, /0 to run \(3 already done, 1 failed before with their own error and not retried/);
    assert.equal(readResults(join(dir, 'dist')).map(comparable), [...byId.values()].map(comparable));
  });

  s('a trial that fails the same way every time is tried once, not again and again', () => {
    const log = workers.map((w) => w.output()).join('');
    const starts = log.match(new RegExp(`trial ${divergingTrial.id} of sweep .*: started`, 'g')) ?? [];
    assert.is(starts.length, 1, log);
  });

  s('when every trial is in, no job is left and the sweep is off the list of sweeps', async () => {
    const client = new Redis(parseRedisUrl(url).options);
    try {
      assert.is(await client.zscore(REGISTRY_KEY, name), null);
      // what may remain is the bookkeeping a worker's stalled-job check writes until it lets go of the queue
      const keys = (await client.keys(`${KEY_PREFIX}:${name}:*`)).map((k) => k.slice(k.lastIndexOf(':') + 1));
      assert.equal(
        keys.filter((k) => k !== 'meta' && k !== 'stalled-check'),
        [],
      );
    } finally {
      client.disconnect();
    }
  });

  s.after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  });
}

/** The fields that must not depend on where a trial ran (not timings, threads or the worker's name). */
function comparable(r: TrialResult) {
  const final = r.final && { loss: r.final.loss, testAccuracy: r.final.testAccuracy, testLoss: r.final.testLoss };
  // An error names the directory the trial ran in (a worker's scratch directory): compare what precedes it.
  const error = r.error?.split('; the last good weights')[0] ?? null;
  return { ...r, final, summary: r.summary && r.summary.steps, worker: null, error };
}

/** Watches the queue until a worker has finished an epoch of `id` but not the trial, then kill -9s it. */
async function killWhoeverRuns(url: string, queueName: string, id: string, workers: WorkerProcess[]) {
  const connection = new Redis(parseRedisUrl(url).options);
  const queue = new Queue(queueName, { connection, prefix: KEY_PREFIX });
  try {
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      const job = (await queue.getJobs(['active'])).find((j) => j.id === id);
      const epoch = (job?.progress as { epoch?: number } | undefined)?.epoch ?? 0;
      const worker = workers.find((w) => w.name === job?.processedBy);
      if (worker && epoch >= 1 && epoch < 3) {
        worker.child.kill('SIGKILL');
        return { worker, epoch };
      }
      await sleep(50);
    }
    throw new Error(`no worker was seen running trial ${id} past its first epoch`);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

s.run();
