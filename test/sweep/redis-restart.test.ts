import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readResults, scratchDir, sweepCli, tinyBase, writeJson } from './helpers.ts';
import { redisUrlOrSkip, sleep, startWorker, waitFor, withTimeout } from './redis-helpers.ts';

const s = suite('distributed sweep: a password-protected Redis, restarted (its data lost) in the middle');

// This test restarts a Redis of its own (redis-server, as .ci/redis.sh installs it), not REDIS_URL's,
// and gives it a password, as a Redis reachable from other machines must have.
const PASSWORD = 'sw33p:secret';
if (redisUrlOrSkip(s)) {
  s('the worker reconnects, the submitter queues the lost trials again, the sweep completes', async () => {
    assert.is(spawnSync('redis-server', ['--version']).status, 0, 'redis-server is on the PATH');
    const dir = scratchDir('restart');
    const port = await freePort();
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`;
    let redis = await startRedis(port, dir);
    const worker = startWorker(url, 'wr', '--concurrent', '2', '--stall-seconds', '2');
    try {
      writeJson(join(dir, 'sweep.json'), {
        name: 'restart',
        base: { ...tinyBase(), data: { source: 'synthetic', kind: 'spiral', n: 2000 } },
        grid: { 'train.optimizer.learningRate': [0.02, 0.04, 0.06, 0.08] },
      });
      const wrong = await sweepCli(dir, 'sweep.json', '--queue', `redis://:nope@127.0.0.1:${port}`);
      assert.is(wrong.code, 2);
      assert.match(wrong.stderr, /✖ cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
      await worker.ready;
      const submitted = sweepCli(dir, 'sweep.json', '--out', 'out', '--queue', url);
      await waitFor(() => worker.output().includes('done in'), 60_000, 'a first trial');
      redis.kill('SIGKILL'); // no persistence: the queue, and the result not yet collected, are gone
      await sleep(500);
      redis = await startRedis(port, dir);
      const result = await withTimeout(submitted, 60_000);
      assert.is(result.code, 0, result.stdout + result.stderr);
      assert.match(worker.output(), /Redis at .* is back/);
      assert.not.match(worker.output(), /^\s+at /m, 'no stack traces in the worker’s log');
      const results = readResults(join(dir, 'out'));
      assert.equal(
        results.map((r) => [r.status, r.worker]),
        Array(4).fill(['done', 'wr']),
        worker.output(),
      );
    } finally {
      worker.child.kill('SIGKILL');
      redis.kill('SIGKILL');
    }
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  args.push('--requirepass', PASSWORD);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  process.on('exit', () => child.kill('SIGKILL'));
  for (let i = 0; i < 100; i++) {
    const ping = ['-p', String(port), '--no-auth-warning', '-a', PASSWORD, 'ping'];
    if (spawnSync('redis-cli', ping, { encoding: 'utf8' }).stdout.trim() === 'PONG') return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

s.run();
