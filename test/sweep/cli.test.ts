import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as workerMain } from '../../src/cli/sweep-worker.ts';
import { UserError } from '../../src/errors.ts';
import { parseRedisUrl } from '../../src/sweep/redis.ts';
import { nodeArgs } from '../support/cli.ts';
import { noStack, scratchDir, sweepCli, tinyBase, writeJson } from './helpers.ts';

const s = suite('sweep and sweep-worker commands: options, Redis URLs, spawned smoke tests');
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dir = scratchDir('cli');
writeJson(join(dir, 'ok.json'), { name: 'cli', base: tinyBase() });
/** Port 1 on the loopback: nothing listens there, so a connection is refused at once. */
const NOBODY = 'redis://127.0.0.1:1';

async function worker(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await workerMain(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    signal: AbortSignal.abort(),
  });
  return { code, stdout, stderr };
}

s('Redis URLs: host, port, password (decoded), user, database, TLS; the password is masked in messages', () => {
  const plain = parseRedisUrl('redis://queue.example:6380');
  assert.equal(
    [plain.options.host, plain.options.port, plain.options.password, plain.options.db, plain.options.tls],
    ['queue.example', 6380, undefined, 0, undefined],
  );
  const secret = parseRedisUrl('rediss://ops:p%40ss%3Aword@10.0.0.5/3');
  assert.equal(
    [secret.options.username, secret.options.password, secret.options.port, secret.options.db],
    ['ops', 'p@ss:word', 6379, 3],
  );
  assert.equal(secret.options.tls, { servername: '10.0.0.5' });
  assert.is(secret.display, 'rediss://ops:***@10.0.0.5/3');
  assert.is(parseRedisUrl('redis://:pw@[::1]:7000').options.host, '::1');
  const refuse = (url: string, pattern: RegExp) =>
    assert.throws(
      () => parseRedisUrl(url),
      (e: Error) => e instanceof UserError && pattern.test(e.message),
    );
  refuse('localhost:6379', /must start with redis:\/\/ or rediss:\/\/ .* → at --queue/);
  refuse('http://host', /must start with redis:\/\//);
  refuse('redis://host/zero', /the database must be a number, got "zero" → at --queue/);
  refuse('not a url', /not a URL: "not a url"/);
});

s('sweep --queue: an unreachable Redis → exit 2 naming it, and no sweep directory is made', async () => {
  const result = await sweepCli(dir, 'ok.json', '--out', 'out', '--queue', NOBODY);
  assert.is(result.code, 2);
  assert.match(result.stderr, /✖ cannot use Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED.* → at --queue/);
  assert.not.ok(existsSync(join(dir, 'out')));
});

s('sweep: options that go together are checked', async () => {
  const shared = await sweepCli(dir, 'ok.json', '--shared');
  assert.is(shared.code, 2);
  assert.match(shared.stderr, /✖ --shared and --max-weights go with --queue → at --shared/);
  const both = await sweepCli(dir, 'ok.json', '--queue', NOBODY, '--concurrent', '2');
  assert.match(both.stderr, /the workers choose their concurrency .* → at --concurrent/);
  const weights = await sweepCli(dir, 'ok.json', '--queue', NOBODY, '--max-weights', '0');
  assert.match(weights.stderr, /✖ --max-weights must be a whole number ≥ 1, got "0" → at --max-weights/);
  const help = await sweepCli(dir, '--help');
  assert.is(help.code, 0);
  assert.match(help.stdout, /^usage: npm run sweep -- <sweep\.json>/);
});

s('sweep-worker: --queue required, options checked, an unreachable Redis is exit 2', async () => {
  const none = await worker();
  assert.is(none.code, 2);
  assert.match(none.stderr, /✖ --queue is required/);
  const bad = await worker('--queue', NOBODY, '--concurrent', '0');
  assert.match(bad.stderr, /✖ --concurrent must be a whole number ≥ 1, got "0" → at --concurrent/);
  const name = await worker('--queue', NOBODY, '--name', 'a b');
  assert.match(name.stderr, /→ at --name/);
  const away = await worker('--queue', NOBODY);
  assert.is(away.code, 2);
  assert.match(away.stderr, /✖ cannot use Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
});

s('spawned: npm run sweep and sweep-worker exit 2 on bad input with ✖ lines and no stack trace', () => {
  const run = (file: string, ...args: string[]) =>
    spawnSync(process.execPath, nodeArgs([file, ...args]), { cwd: repoRoot, encoding: 'utf8' });
  writeJson(join(dir, 'bad.json'), { name: 'bad', base: tinyBase(), grid: { 'train.epochs': [0] } });
  const sweep = run('src/cli/sweep.ts', join(dir, 'bad.json'));
  assert.is(sweep.status, 2, sweep.stderr);
  assert.match(
    sweep.stderr,
    /^✖ invalid sweep .*bad\.json:\n✖ Too small: .* → at grid\["train\.epochs"\]\[0\] \(train\.epochs = 0\)\n$/,
  );
  assert.ok(noStack(sweep.stderr));
  const worker = run('src/cli/sweep-worker.ts', '--queue', 'redis://127.0.0.1:1');
  assert.is(worker.status, 2, worker.stderr);
  assert.match(worker.stderr, /^✖ cannot use Redis at redis:\/\/127\.0\.0\.1:1: .* → at --queue\n$/);
});

s.run();
