/**
 * The security setup docs/sweeps.md asks for, against a real redis-server this file starts itself:
 * `redis://:password@host` with `requirepass`, `rediss://` (TLS, a self-signed certificate made
 * with openssl and trusted through NODE_EXTRA_CA_CERTS) when the redis-server build has TLS, and
 * `--shared` (workers write the trials into the sweep directory; only names cross Redis). Each
 * sweep gives the weights of the same sweep run locally. Skipped without redis-server (failing
 * under REQUIRE_REDIS=1, as in CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main as sweepMain } from '../../src/cli/sweep.ts';
import { main as workerMain } from '../../src/cli/sweep-worker.ts';
import { checkRedis, parseRedisUrl } from '../../src/sweep/redis.ts';
import { fakeIo, nodeArgs, runMain } from '../support/cli.ts';
import { readResults, scratchDir, sha256, tinyBase, writeJson } from './helpers.ts';
import { startWorker } from './redis-helpers.ts';

const s = suite('Redis with a password, TLS and a shared directory: a real redis-server');
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 's3cr:t@pw'; // ':' and '@' must be percent-encoded in the URL
const ENCODED = encodeURIComponent(PASSWORD);
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const never = new AbortController().signal;

if (!hasRedis) {
  s('skipped: no redis-server on the PATH', () => {
    console.log('[report] skipped: no redis-server');
    assert.is.not(process.env.REQUIRE_REDIS, '1', 'REQUIRE_REDIS=1, yet there is no redis-server');
  });
} else {
  const dir = scratchDir('auth');
  /** How to stop each worker started: abort the one in this process, kill a spawned one. */
  const workers: (() => Promise<void>)[] = [];
  // Every sweep here runs its trials one at a time: each trial-runner process costs ~1 s of CPU to
  // start, and the weights (what is compared) do not depend on how many trials run at once.
  let server: ChildProcess | null = null;
  let port = 0;
  let tlsPort: number | null = null;
  const cert = join(dir, 'cert.pem');
  let watchdog: NodeJS.Timeout | undefined;

  const sweep = (name: string) =>
    writeJson(join(dir, `${name}.json`), {
      name: `${name}-${process.pid}`,
      base: tinyBase(),
      grid: { 'train.optimizer.learningRate': [0.05, 0.2] },
    });

  s.before(async () => {
    // A hang (a worker that never takes the queue) fails here instead of at test/run.ts's limit.
    watchdog = setTimeout(() => {
      console.error('✖ still running after 200 s: stopped');
      process.exit(1);
    }, 200_000).unref();
    [port, tlsPort] = [await freePort(), await freePort()];
    const made = spawnSync('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', cert],
    ]);
    const tls =
      made.status === 0
        ? [
            ...['--tls-port', `${tlsPort}`, '--tls-cert-file', cert, '--tls-key-file', join(dir, 'key.pem')],
            ...['--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'],
          ]
        : [];
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--requirepass', PASSWORD];
    server = startServer([...common, '--port', `${port}`, ...tls]);
    if (!(await serverUp(server))) {
      // A build without TLS refuses the tls options: run without them (the TLS test then says so).
      console.log(
        `[report] redis-server without TLS support (${made.status === 0 ? 'tls options refused' : 'no openssl'})`,
      );
      tlsPort = null;
      server = startServer([...common, '--port', `${port}`]);
      assert.ok(await serverUp(server), 'redis-server did not start');
    }
    process.env.NODE_EXTRA_CA_CERTS = cert; // inherited by the processes spawned below
  });

  s('a wrong or missing password is a clear error naming the URL with the password masked', async () => {
    const wrong = await runSweep(sweep('wrong'), '--queue', `redis://:nope@127.0.0.1:${port}`);
    assert.is(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, `✖ cannot use Redis at redis://:***@127.0.0.1:${port}: WRONGPASS`);
    const { io, stderr } = fakeIo();
    const none = {
      code: await workerMain(['--queue', `redis://127.0.0.1:${port}`], { ...io, signal: never }),
      stderr: stderr(),
    };
    assert.is(none.code, 2, none.stderr);
    assert.match(none.stderr, /NOAUTH Authentication required/);
    await checkRedis(parseRedisUrl(`redis://:${ENCODED}@127.0.0.1:${port}`)); // the right one works
  });

  s('redis://:password@host: a worker trains the sweep, weights equal to the local sweep’s', async () => {
    const url = `redis://:${ENCODED}@127.0.0.1:${port}`;
    const file = sweep('password');
    // The reference: the same trials run locally (trial ids, and so weights, do not depend on the sweep's name).
    const local = await runSweep(file, '--out', join(dir, 'local'), '--concurrent', '1');
    assert.is(local.code, 0, local.stderr);
    await startWorkerHere(url, 'pw');
    const dist = await runSweep(file, '--out', join(dir, 'password-dist'), '--queue', url);
    assert.is(dist.code, 0, dist.stderr);
    assert.not.ok((dist.stdout + dist.stderr).includes(PASSWORD), 'the password is never printed');
    assert.match(dist.stdout, `queued on redis://:***@127.0.0.1:${port}`);
    sameWeights('local', 'password-dist');
  });

  s('--shared: the worker writes the trials into the sweep directory, with the same weights', async () => {
    const url = `redis://:${ENCODED}@127.0.0.1:${port}`;
    const file = sweep('shared');
    const dist = await runSweep(file, '--out', join(dir, 'shared-dist'), '--queue', url, '--shared');
    assert.is(dist.code, 0, dist.stderr);
    for (const r of readResults(join(dir, 'shared-dist'))) assert.is(r.worker, 'pw', r.id);
    sameWeights('local', 'shared-dist');
  });

  s('rediss://:password@host (TLS, self-signed certificate): the same sweep through TLS', async () => {
    if (tlsPort === null) {
      console.log('[report] rediss:// not tested: this redis-server has no TLS');
      return;
    }
    const url = `rediss://:${ENCODED}@localhost:${tlsPort}`;
    await stopWorkers(); // the plain-text worker would take trials too: this sweep must go through TLS
    const plain = await runSweep(sweep('plain'), '--queue', `redis://:${ENCODED}@localhost:${tlsPort}`);
    assert.is(plain.code, 2, 'plain text to the TLS port fails\n' + plain.stderr);
    await startWorkerProcess(url, 'tls');
    const file = sweep('tls');
    const dist = await runCli('sweep.ts', file, '--out', join(dir, 'tls-dist'), '--queue', url);
    assert.is(dist.code, 0, dist.stderr);
    assert.match(dist.stdout, `queued on rediss://:***@localhost:${tlsPort}`);
    for (const r of readResults(join(dir, 'tls-dist'))) assert.is(r.worker, 'tls', r.id);
    sameWeights('local', 'tls-dist');
  });

  s.after(async () => {
    clearTimeout(watchdog);
    delete process.env.NODE_EXTRA_CA_CERTS; // the files run after this one in the same process
    await stopWorkers();
    server?.kill('SIGTERM');
  });

  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.splice(0).map((stop) => stop()));
  }

  /** A sweep-worker through its main in this process (plain-text Redis: no certificate to trust). */
  async function startWorkerHere(url: string, name: string): Promise<void> {
    const stop = new AbortController();
    const { io, stdout, stderr } = fakeIo();
    const argv = ['--queue', url, '--name', name, '--concurrent', '1', '--stall-seconds', '5'];
    const done = workerMain(argv, { ...io, signal: stop.signal });
    workers.push(async () => {
      stop.abort();
      assert.is(await done, 0, stderr());
    });
    const ready = Date.now() + 30_000;
    while (!stdout().includes('waiting for trials')) {
      if (Date.now() > ready) assert.unreachable(`worker ${name} not ready after 30 s:\n${stdout()}${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A sweep-worker process: it must start with NODE_EXTRA_CA_CERTS set to trust the TLS certificate. */
  async function startWorkerProcess(url: string, name: string): Promise<void> {
    const worker = startWorker(url, name, '--concurrent', '1', '--stall-seconds', '5');
    workers.push(async () => {
      worker.child.kill('SIGKILL');
      await worker.exited;
    });
    await worker.ready;
  }

  function sameWeights(localDir: string, distDir: string): void {
    const local = readResults(join(dir, localDir));
    const dist = readResults(join(dir, distDir));
    assert.equal(
      dist.map((r) => [r.id, r.status]),
      local.map((r) => [r.id, 'done']),
    );
    for (const r of local) {
      const weights = sha256(join(dir, localDir, 'trials', r.id, 'model.safetensors'));
      assert.ok(weights, r.id);
      assert.is(sha256(join(dir, distDir, 'trials', r.id, 'model.safetensors')), weights, r.id);
      assert.is(dist.find((d) => d.id === r.id)!.weightsSha256, weights, r.id);
    }
  }
}

function startServer(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => child.kill('SIGKILL'));
  return child;
}

/** True once the server says it is ready, false if it exits first (e.g. options it does not know). */
function serverUp(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    child.on('exit', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The sweep command in this process (plain-text Redis: no certificate to trust). */
function runSweep(...args: string[]) {
  return runMain(sweepMain, args);
}

/** A command of src/cli as its own process (so that it sees NODE_EXTRA_CA_CERTS), in the test's directory. */
function runCli(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs([join(repoRoot, 'src/cli', script), ...args]), {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

s.run();
