import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/batch.ts';
import { assertBadInput, assertErrorLines, runMain, runNode, type FakeIoOptions } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';
import { BATCH_RUN_LISTING } from '../support/run-listing.ts';

/**
 * `npm run batch` through its main(argv, io) in this process: bad configs and flags exit 2 with
 * `✖ message → at path` lines and no stack, before any directory is created. One smoke test runs
 * the bundled example as a user does, in a child process.
 */
const s = suite('batch CLI');
const root = tempDir('shardprop-cli-');
let files = 0;

// A config as JSON, patched freely by the cases below (that is the point: to break it).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Config = Record<string, any>;

const batch = (args: string[], options?: FakeIoOptions) => runMain(main, args, options);

/** A good small config (spiral, 2 epochs) with `patch` applied to a deep copy. */
function configFile(patch: (c: Config) => void = () => {}): { file: string; out: string } {
  const out = join(root, `out-${++files}`);
  const config: Config = {
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

interface BadCase {
  what: string;
  patch?: (c: Config) => void;
  args?: string[];
  expected: RegExp | string;
  at?: string;
}

const cases: BadCase[] = [
  {
    what: 'an unknown key',
    patch: (c) => (c.parallel.wrokers = 2),
    expected: 'Unrecognized key: "wrokers"',
    at: 'parallel',
  },
  { what: 'a misspelt top-level section', patch: (c) => (c.trian = {}), expected: 'Unrecognized key: "trian"' },
  {
    what: 'learning rate 0',
    patch: (c) => (c.train.optimizer.learningRate = 0),
    expected: 'expected number to be >0',
    at: 'train.optimizer.learningRate',
  },
  {
    what: 'a negative learning rate',
    patch: (c) => (c.train.optimizer = { type: 'adam', learningRate: -0.01 }),
    expected: '>0',
    at: 'train.optimizer.learningRate',
  },
  { what: 'batchSize 0', patch: (c) => (c.train.batchSize = 0), expected: '>=1', at: 'train.batchSize' },
  { what: 'workers 0', patch: (c) => (c.parallel.workers = 0), expected: '>=1', at: 'parallel.workers' },
  { what: 'workers 300', patch: (c) => (c.parallel.workers = 300), expected: '<=256', at: 'parallel.workers' },
  {
    what: '--workers 300',
    args: ['--workers', '300'],
    expected: '✖ --workers must be a whole number from 1 to 256, got "300"',
    at: '--workers',
  },
  { what: '--workers abc', args: ['--workers', 'abc'], expected: 'got "abc"', at: '--workers' },
  { what: '--workers 0', args: ['--workers', '0'], expected: 'got "0"', at: '--workers' },
  { what: '--workers 1.5', args: ['--workers', '1.5'], expected: 'got "1.5"', at: '--workers' },
  { what: '--workers without a value', args: ['--workers'], expected: '✖ --workers needs a value', at: '--workers' },
  { what: '--json=yes', args: ['--json=yes'], expected: '✖ --json takes no value', at: '--json' },
  {
    what: 'an unknown flag',
    args: ['--wrokers', '2'],
    expected: /✖ unknown flag \(did you mean --workers\?\) → at --wrokers\n✖ usage: npm run batch/,
  },
  {
    what: 'an idx file that does not exist',
    patch: (c) =>
      (c.data = { source: 'idx', images: join(root, 'missing-images.idx'), labels: join(root, 'missing-labels.idx') }),
    expected: `file not found: ${join(root, 'missing-images.idx')}`,
    at: 'data.images',
  },
  {
    what: 'a layer too large for shared memory (affine 1,000,000 units on mnist)',
    patch: (c) => {
      c.data = { source: 'mnist', train: 500, test: 100 };
      c.model.layers = [{ type: 'affine', units: 1_000_000 }, { type: 'relu' }, { type: 'affine', units: 10 }];
    },
    expected: /needs [\d.]+ GiB of shared memory.*at most 4 GiB/,
    at: 'model.layers',
  },
  {
    what: 'a model whose output width is not the class count',
    patch: (c) => (c.model.layers[2].units = 10),
    expected: 'ends with 10 outputs but the data has 3 classes',
    at: 'model.layers[2]',
  },
  {
    what: 'an unknown layer type',
    patch: (c) => (c.model.layers[1] = { type: 'conv' }),
    expected: /Invalid/,
    at: 'model.layers[1].type',
  },
];

for (const c of cases) {
  s(`rejects ${c.what}: exit 2, names the field, no directory`, async () => {
    const { file, out } = configFile(c.patch);
    assertBadInput(await batch([file, ...(c.args ?? [])]), c.expected, c.at);
    assert.not.ok(existsSync(out), 'no run directory created');
  });
}

s('rejects a file that is not JSON, a config file that does not exist, and a JSON array', async () => {
  const broken = join(root, 'broken.json');
  writeFileSync(broken, '{ "name": "x", ');
  assertBadInput(await batch([broken]), 'config file is not valid JSON', broken);
  const missing = join(root, 'nope.json');
  assertBadInput(await batch([missing]), 'config file not found', missing);
  const list = join(root, 'list.json');
  writeFileSync(list, '[]');
  assertBadInput(await batch([list]), 'config file must hold a JSON object', list);
});

s('wants exactly one config file', async () => {
  assertBadInput(await batch([]), /✖ expected 1 config file, got 0\n✖ usage: npm run batch/);
  const { file } = configFile();
  assertBadInput(await batch([file, file]), 'expected 1 config file, got 2');
});

s('--help prints the usage, every flag and the exit codes, and exits 0', async () => {
  const help = await batch(['--help']);
  assert.is(help.code, 0);
  assert.is(help.stderr, '');
  assert.match(help.stdout, /^usage: npm run batch -- <config\.json>/);
  for (const flag of ['--workers N', '--out DIR', '--force', '--json', '-h, --help']) assert.match(help.stdout, flag);
  assert.match(help.stdout, 'exit codes: 0 done, 1 failed');
  assert.equal(await batch(['-h', 'ignored.json']), help);
});

s(
  'a diverging run exits 1 with the divergence message and no stack; the claimed directory keeps its config',
  async () => {
    const { file, out } = configFile((c) => {
      c.model.layers[1] = { type: 'sigmoid' };
      c.model.loss = 'mse';
      c.train.optimizer.learningRate = 1e30;
    });
    const result = await batch([file, '--json']);
    assert.is(result.code, 1, result.stderr);
    assert.match(result.stderr, /^✖ training diverged at epoch 1, step \d+/);
    assertErrorLines(result.stderr);
    assert.ok(existsSync(join(out, 'config.json')));
    assert.not.ok(existsSync(join(out, 'model.safetensors')));
    for (const line of result.stdout.trimEnd().split('\n')) JSON.parse(line); // --json: still only JSON on stdout
  },
);

s('a good run exits 0, prints readable lines, then refuses to overwrite it unless --force', async () => {
  const { file, out } = configFile();
  const first = await batch([file, '--workers', '1']);
  assert.is(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /^cli-test: 2-16-3 relu · 99 parameters · 240 train \/ 60 test · batch 32 × 2 epochs · 1 worker \(as configured\)$/m,
  );
  assert.match(first.stdout, /^epoch 2\/2 +loss [\d.]+ +train acc [\d.]+ +test acc [\d.]+ .*\(1 worker\)$/m);
  assert.match(first.stdout, new RegExp(`^done: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — test accuracy`, 'm'));
  const weights = readFileSync(join(out, 'model.safetensors'));

  assertBadInput(await batch([file]), 'already holds a run; pass --force');
  assert.ok(readFileSync(join(out, 'model.safetensors')).equals(weights), 'untouched');

  // --force replaces it; 2 workers instead of 1 write the same bytes.
  const forced = await batch([file, '--force', '--workers', '2']);
  assert.is(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /\(2 workers\)$/m);
  assert.ok(readFileSync(join(out, 'model.safetensors')).equals(weights), 'workers 2 writes the bytes workers 1 wrote');
  assert.is(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).parallel.workers, 2);
});

s('on a terminal, a progress bar redraws each epoch in place', async () => {
  const { file } = configFile();
  const result = await batch([file], { columns: 120 });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /\repoch 1\/2  \[#+\]  ETA \S+( s)?  loss [\d.]+  [\d,]+ samples\/s/);
  assert.match(result.stdout, /\repoch 2\/2 +loss [\d.]+ .*\(2 workers\)\x1b\[K\n/);
});

/** A CSV of a separable 2-class problem, and a config naming it and the run directory by relative paths. */
function relativeProject(dir: string, output?: string): void {
  mkdirSync(dir, { recursive: true });
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${i % 2 ? 1 : -1},${(i % 7) / 7}`);
  writeFileSync(join(dir, 'points.csv'), `label,a,b\n${rows.join('\n')}\n`);
  const config = {
    name: 'relative',
    data: { source: 'csv', path: 'points.csv', testFraction: 0.25 },
    model: { layers: [{ type: 'affine', units: 2 }] },
    train: { epochs: 1, batchSize: 10 },
    parallel: { workers: 1, chunks: 2 },
    ...(output === undefined ? {} : { output: { dir: output } }),
  };
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify(config));
}

s('npm run from a subdirectory: the config, its data path and output.dir resolve against INIT_CWD', async () => {
  const project = join(root, 'project');
  relativeProject(project, 'runs/mine');
  // npm starts the script in the package root and passes the user's directory as INIT_CWD.
  const result = await batch(['cfg.json', '--json'], { env: { INIT_CWD: project } });
  assert.is(result.code, 0, result.stderr);
  const written = JSON.parse(readFileSync(join(project, 'runs/mine/config.json'), 'utf8'));
  assert.is(written.data.path, join(project, 'points.csv'));
  assert.is(written.output.dir, join(project, 'runs/mine'));
  assert.equal(readdirSync(join(project, 'runs/mine')).sort(), BATCH_RUN_LISTING);
});

s(
  'the default run directory and --out resolve there too; without INIT_CWD, against the working directory',
  async () => {
    const project = join(root, 'project-default');
    relativeProject(project);
    const viaNpm = await batch(['cfg.json'], { env: { INIT_CWD: project } });
    assert.is(viaNpm.code, 0, viaNpm.stderr);
    assert.ok(existsSync(join(project, 'runs/relative/model.safetensors')), 'runs/<name> under INIT_CWD');
    const direct = await batch(['cfg.json', '--out', 'elsewhere'], { cwd: project });
    assert.is(direct.code, 0, direct.stderr);
    assert.ok(existsSync(join(project, 'elsewhere/model.safetensors')), '--out under the working directory');
  },
);

s('a relative path that is missing there is named in full', async () => {
  const project = join(root, 'project-missing');
  mkdirSync(project);
  assertBadInput(
    await batch(['cfg.json'], { env: { INIT_CWD: project } }),
    'config file not found',
    join(project, 'cfg.json'),
  );
  relativeProject(project);
  writeFileSync(
    join(project, 'cfg.json'),
    readFileSync(join(project, 'cfg.json'), 'utf8').replace('points.csv', 'nowhere.csv'),
  );
  const result = await batch(['cfg.json'], { env: { INIT_CWD: project } });
  assertBadInput(result, `file not found: ${join(project, 'nowhere.csv')}`, 'data.path');
});

s(
  'smoke, as a child process: the bundled example (16 epochs) reaches ≥ 0.90 test accuracy; --json prints only JSON',
  async () => {
    const out = join(root, 'mnist-mlp');
    const result = await runNode(['src/cli/batch.ts', 'data/configs/mnist-mlp.json', '--out', out, '--json'], 120_000);
    assert.not.ok(result.timedOut, 'timed out');
    assert.is(result.code, 0, result.stderr);
    assert.is(result.stderr, '');
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
    assert.equal(readdirSync(out).sort(), BATCH_RUN_LISTING);
    assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), summary);
  },
);

s.run();
