import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/report.ts';
import { assertBadInput, runMain, runNode } from '../support/cli.ts';
import { CONFUSION, scratchDir, writeRun } from './helpers.ts';

const s = suite('npm run report: main(argv, io) and bad input');
const root = scratchDir('cli');

const report = (...argv: string[]) => runMain(main, argv, { cwd: root });

/** Paths in messages are resolved against the io's cwd (npm's INIT_CWD): here, the scratch root. */
const at = (path: string) => join(root, path);

const noStack = (stderr: string) => assert.not.match(stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');

s('one run directory (relative to the cwd given): writes DIR/report.html, prints its path, exit 0', async () => {
  writeRun(join(root, 'one'));
  const result = await report('one');
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout, `report: ${join(root, 'one', 'report.html')}\n`);
  assert.match(readFileSync(join(root, 'one', 'report.html'), 'utf8'), '<title>shardprop run: tiny-classifier</title>');
});

s('several directories: a comparison at --out (parents created), linking each run’s own report', async () => {
  writeRun(join(root, 'two'));
  const result = await report('one', 'two', '--out', 'reports/sweep.html');
  assert.is(result.code, 0, result.stderr);
  const page = readFileSync(join(root, 'reports', 'sweep.html'), 'utf8');
  assert.match(page, '<title>shardprop: comparison of runs</title>');
  assert.match(page, '<a href="../one/report.html">one</a>', 'one has a report.html; two has none');
  assert.match(page, '<th scope="row">two</th>');
  const defaultOut = await report('one', 'two');
  assert.is(defaultOut.code, 0, defaultOut.stderr);
  assert.ok(existsSync(join(root, 'compare.html')));
});

s('--help prints the usage, exit 0; no directory is a usage error, exit 2', async () => {
  const help = await report('--help');
  assert.is(help.code, 0);
  assert.match(help.stdout, /^usage: npm run report -- <run-dir>/);
  assert.match(help.stdout, /--out FILE +where to write the page/);
  assertBadInput(await report(), /^✖ expected at least 1 run directory, got 0\n✖ usage: npm run report/);
});

s('unknown flags and a flag without its value: ✖ … → at --flag, exit 2', async () => {
  assertBadInput(await report('one', '--x'), /^✖ unknown flag → at --x\n✖ usage: npm run report/, '--x');
  assertBadInput(await report('one', '--otu', 'x.html'), '✖ unknown flag (did you mean --out?)', '--otu');
  assertBadInput(await report('one', '--out'), /^✖ --out needs a value → at --out\n/, '--out');
});

s('missing directory, a file, a directory that is no run: exit 2 naming the path', async () => {
  writeFileSync(join(root, 'file.txt'), 'x');
  mkdirSync(join(root, 'empty'), { recursive: true });
  const cases: Array<[string, string]> = [
    ['nope', `✖ run directory not found → at ${at('nope')}\n`],
    ['file.txt', `✖ not a directory (expected a run directory) → at ${at('file.txt')}\n`],
    ['empty', `✖ not a shardprop run directory (no config.json) → at ${at('empty')}\n`],
    ['file.txt/run', `✖ run directory not found → at ${at('file.txt/run')}\n`],
  ];
  for (const [dir, message] of cases) {
    const result = await report(dir);
    assert.is(result.code, 2, dir);
    assert.is(result.stderr, message);
  }
  assert.equal(readdirSync(join(root, 'empty')), [], 'nothing written');
});

s('a bad metrics line is named by file and line; nothing is written, an older report is kept', async () => {
  const dir = writeRun(join(root, 'bad-metrics'));
  assert.is((await report('bad-metrics')).code, 0);
  const before = readFileSync(join(dir, 'report.html'), 'utf8');
  const lines = ['{"epoch":1,"loss":1}', '{"epoch":2,"loss":', '{"epoch":3,"loss":0.5}'];
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n'));
  const result = await report('bad-metrics');
  assert.is(result.code, 2);
  assert.match(result.stderr, /^✖ metrics line is not valid JSON \(.+\) → at \/.+\/bad-metrics\/metrics\.jsonl:2\n$/);
  assert.ok(readFileSync(join(dir, 'report.html'), 'utf8') === before, 'the older report is untouched');
  assert.equal(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );

  writeFileSync(join(dir, 'metrics.jsonl'), '{"epoch":1}\n[1,2]\n');
  assert.is(
    (await report('bad-metrics')).stderr,
    `✖ metrics line is not a JSON object → at ${at('bad-metrics/metrics.jsonl')}:2\n`,
  );
  writeFileSync(join(dir, 'metrics.jsonl'), '{"loss":1}\n');
  assert.is(
    (await report('bad-metrics')).stderr,
    `✖ metrics line has no positive integer "epoch" → at ${at('bad-metrics/metrics.jsonl')}:1\n`,
  );
});

s('a malformed confusion.json, config.json or weights header is named; exit 2', async () => {
  const confusion = {
    ...CONFUSION,
    matrix: [
      [8, 2, 0],
      [1, 3],
      [0, 0, 0],
    ],
  };
  writeRun(join(root, 'bad-confusion'), { 'confusion.json': JSON.stringify(confusion) });
  const result = await report('bad-confusion');
  assert.is(result.code, 2);
  assert.is(
    result.stderr,
    `✖ confusion matrix: expected 3 columns, got 2 → at ${at('bad-confusion/confusion.json')} matrix[1]\n`,
  );

  writeRun(join(root, 'bad-config'), { 'config.json': '[1]' });
  assert.is(
    (await report('bad-config')).stderr,
    `✖ run config is not a JSON object → at ${at('bad-config/config.json')}\n`,
  );

  writeRun(join(root, 'bad-weights'), { 'model.safetensors': new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]) });
  assert.is(
    (await report('bad-weights')).stderr,
    `✖ model weights: header length exceeds the file → at ${at('bad-weights/model.safetensors')}\n`,
  );
});

s('the same directory twice, --out onto a directory or below a file: clear errors, exit 2', async () => {
  const twice = await report('one', 'one');
  assert.is(twice.code, 2);
  assert.is(twice.stderr, `✖ the same run directory is given twice → at ${at('one')}\n`);
  const ontoDir = await report('one', '--out', 'two');
  assert.is(ontoDir.stderr, `✖ cannot write the report: a directory has that name → at ${at('two')}\n`);
  const belowFile = await report('one', '--out', 'file.txt/report.html');
  assert.is(belowFile.code, 2);
  assert.is(
    belowFile.stderr,
    `✖ cannot write the report (a parent of it is a file, not a directory) → at ${at('file.txt/report.html')}\n`,
  );
});

s('as a child process (npm run report): a bad directory exits 2 with one ✖ line and no stack', async () => {
  const { code, stdout, stderr } = await runNode(['src/cli/report.ts', join(root, 'nope')]);
  assert.is(code, 2, stderr);
  assert.is(stdout, '');
  assert.is(stderr, `✖ run directory not found → at ${join(root, 'nope')}\n`);
  noStack(stderr);
});

s.run();
