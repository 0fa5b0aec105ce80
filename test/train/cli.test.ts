import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runNode, tempDir, type ChildResult } from './helpers.ts';

/**
 * `npm run batch` as a user meets it: a child process from the repository root. Bad configs exit 2
 * with `✖ message → at path` lines and no stack, before any directory is created.
 */
const s = suite('batch CLI');
const root = tempDir('shardprop-cli-');
let files = 0;

const batch = (...args: string[]): Promise<ChildResult> => runNode(['src/cli/batch.ts', ...args], 60_000);

/** A good small config (spiral, 2 epochs) with `patch` applied to a deep copy. */
function configFile(patch: (c: Record<string, any>) => void = () => {}): { file: string; out: string } {
  const out = join(root, `out-${++files}`);
  const config: Record<string, any> = {
    name: 'cli-test',
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 2, batchSize: 32, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: { workers: 2, chunks: 4 },
    output: { dir: out },
  };
  patch(config);
  const file = join(root, `config-${files}.json`);
  writeFileSync(file, JSON.stringify(config));
  return { file, out };
}

/** Exit 2, `✖` lines on stderr naming `expected` (and the path, if given), no stack, nothing on stdout. */
function assertRejected(result: ChildResult, expected: RegExp | string, path?: string): void {
  assert.not.ok(result.timedOut, 'timed out');
  assert.is(result.code, 2, `exit code; stderr:\n${result.stderr}`);
  assert.ok(result.stderr.startsWith('✖'), `stderr starts with ✖:\n${result.stderr}`);
  assert.match(result.stderr, expected);
  if (path !== undefined) assert.ok(result.stderr.includes(`→ at ${path}`), `names "→ at ${path}":\n${result.stderr}`);
  assert.not.match(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace:\n${result.stderr}`);
  assert.not.match(result.stderr, /\b(TypeError|RangeError|ZodError)\b/);
  assert.is(result.stdout, '', 'nothing on stdout');
}

interface BadCase {
  what: string;
  patch?: (c: Record<string, any>) => void;
  args?: string[];
  expected: RegExp | string;
  path?: string;
}

const cases: BadCase[] = [
  {
    what: 'an unknown key',
    patch: (c) => (c.parallel.wrokers = 2),
    expected: 'Unrecognized key: "wrokers"',
    path: 'parallel',
  },
  { what: 'a misspelt top-level section', patch: (c) => (c.trian = {}), expected: 'Unrecognized key: "trian"' },
  {
    what: 'learning rate 0',
    patch: (c) => (c.train.optimizer.learningRate = 0),
    expected: 'expected number to be >0',
    path: 'train.optimizer.learningRate',
  },
  {
    what: 'a negative learning rate',
    patch: (c) => (c.train.optimizer = { type: 'adam', learningRate: -0.01 }),
    expected: '>0',
    path: 'train.optimizer.learningRate',
  },
  { what: 'batchSize 0', patch: (c) => (c.train.batchSize = 0), expected: '>=1', path: 'train.batchSize' },
  { what: 'workers 0', patch: (c) => (c.parallel.workers = 0), expected: '>=1', path: 'parallel.workers' },
  { what: 'workers 300', patch: (c) => (c.parallel.workers = 300), expected: '<=256', path: 'parallel.workers' },
  {
    what: '--workers 300 on the command line',
    args: ['--workers', '300'],
    expected: '<=256',
    path: 'parallel.workers',
  },
  {
    what: '--workers abc',
    args: ['--workers', 'abc'],
    expected: 'expected number, received string',
    path: 'parallel.workers',
  },
  {
    what: 'an idx file that does not exist',
    patch: (c) =>
      (c.data = { source: 'idx', images: join(root, 'missing-images.idx'), labels: join(root, 'missing-labels.idx') }),
    expected: `file not found: ${join(root, 'missing-images.idx')}`,
    path: 'data.images',
  },
  {
    what: 'a layer too large for shared memory (affine 1,000,000 units on mnist)',
    patch: (c) => {
      c.data = { source: 'mnist', train: 500, test: 100 };
      c.model.layers = [{ type: 'affine', units: 1_000_000 }, { type: 'relu' }, { type: 'affine', units: 10 }];
    },
    expected: /needs [\d.]+ GiB of shared memory.*at most 4 GiB/,
    path: 'model.layers',
  },
  {
    what: 'a model whose output width is not the class count',
    patch: (c) => (c.model.layers[2].units = 10),
    expected: 'ends with 10 outputs but the data has 3 classes',
    path: 'model.layers[2]',
  },
  {
    what: 'an unknown layer type',
    patch: (c) => (c.model.layers[1] = { type: 'gelu' }),
    expected: /Invalid/,
    path: 'model.layers[1].type',
  },
  { what: 'an unknown flag', args: ['--wrokers', '2'], expected: /Unknown option '--wrokers'[\s\S]*usage/ },
];

for (const c of cases) {
  s(`rejects ${c.what}: exit 2, names the field, no directory`, async () => {
    const { file, out } = configFile(c.patch);
    assertRejected(await batch(file, ...(c.args ?? [])), c.expected, c.path);
    assert.not.ok(existsSync(out), 'no run directory created');
  });
}

s('rejects a file that is not JSON and a config file that does not exist', async () => {
  const broken = join(root, 'broken.json');
  writeFileSync(broken, '{ "name": "x", ');
  const missing = join(root, 'nope.json');
  const [a, b] = await Promise.all([batch(broken), batch(missing)]);
  assertRejected(a, `config file is not valid JSON`, broken);
  assertRejected(b, `config file not found → at ${missing}`);
});

s(
  'a diverging run exits 1 with the divergence message and no stack; the claimed directory keeps its config',
  async () => {
    const { file, out } = configFile((c) => {
      c.model.layers[1] = { type: 'sigmoid' };
      c.model.loss = 'mse';
      c.train.optimizer.learningRate = 1e30;
    });
    const result = await batch(file, '--json');
    assert.is(result.code, 1, result.stderr);
    assert.match(result.stderr, /^✖ training diverged at epoch 1, step \d+/);
    assert.not.match(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.ok(existsSync(join(out, 'config.json')));
    assert.not.ok(existsSync(join(out, 'model.safetensors')));
    for (const line of result.stdout.trimEnd().split('\n')) JSON.parse(line); // --json: still only JSON on stdout
  },
);

s(
  'the bundled example (data/configs/mnist-mlp.json, 16 epochs) reaches ≥ 0.90 test accuracy; --json prints only JSON lines',
  async () => {
    const out = join(root, 'mnist-mlp');
    const result = await batch('data/configs/mnist-mlp.json', '--out', out, '--json');
    assert.is(result.code, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line, i) => {
        try {
          return JSON.parse(line);
        } catch {
          return assert.unreachable(`stdout line ${i + 1} is not JSON: ${line}`);
        }
      });
    assert.is(lines.length, 1 + 16 + 1, 'config, 16 epochs, summary');
    assert.is(lines[0].config.output.dir, out, '--out is applied');
    assert.is(lines[0].config.parallel.chunks, 4);
    lines.slice(1, 17).forEach((m, i) => assert.is(m.epoch, i + 1));
    const { summary } = lines[17];
    assert.is(summary.epochs, 16);
    assert.ok(summary.testAccuracy >= 0.9, `test accuracy ${summary.testAccuracy}`);
    console.log(
      `    mnist-mlp: test accuracy ${summary.testAccuracy}, ${Math.round(summary.samplesPerSec)} samples/s, ${summary.seconds.toFixed(1)} s`,
    );
    assert.equal(readdirSync(out).sort(), [
      'checkpoints',
      'config.json',
      'metrics.jsonl',
      'model.safetensors',
      'run.json',
      'summary.json',
    ]);
    assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), summary);
  },
);

s('a good run exits 0, prints readable lines, then refuses to overwrite it unless --force', async () => {
  const { file, out } = configFile();
  const first = await batch(file, '--workers', '1');
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /^shardprop: cli-test$/m);
  assert.match(first.stdout, /^epoch 2\/2 +loss [\d.]+ +train acc [\d.]+ +test acc [\d.]+ .*\(1 workers\)$/m);
  assert.match(first.stdout, new RegExp(`^done: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — test accuracy`, 'm'));
  assert.ok(existsSync(join(out, 'model.safetensors')));
  const weights = readFileSync(join(out, 'model.safetensors'));

  const again = await batch(file);
  assert.is(again.code, 2);
  assert.match(again.stderr, 'already holds a run; pass --force');
  assert.ok(readFileSync(join(out, 'model.safetensors')).equals(weights), 'untouched');

  // --force replaces it; 2 workers instead of 1 write the same bytes.
  const forced = await batch(file, '--force', '--workers', '2');
  assert.is(forced.code, 0, forced.stderr);
  assert.ok(readFileSync(join(out, 'model.safetensors')).equals(weights), 'workers 2 writes the bytes workers 1 wrote');
  assert.is(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).parallel.workers, 2);
});

s.run();
