import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import { readCompletedTrial } from '../../src/sweep/results.ts';
import { parseSweep } from '../../src/sweep/load.ts';
import { train } from '../../src/train/train.ts';
import { rankedTable, readResults, scratchDir, sha256, sweepCli, tinyBase, writeJson } from './helpers.ts';
import { RUN_LISTING } from '../support/run-listing.ts';

const s = suite('local sweep: run directories, results, table, report, resume');
const dir = scratchDir('local');
const out = join(dir, 'out');
// 1e30 makes the first update overflow: a trial that fails the same way every time.
const sweepFile = writeJson(join(dir, 'sweep.json'), {
  name: 'local-test',
  base: tinyBase(),
  grid: { 'train.optimizer.learningRate': [0.05, 0.2, 1e30] },
  list: [{ 'model.layers.0.units': 4 }, { 'model.layers.0.units': 8 }],
});
const { trials } = parseSweep(JSON.parse(readFileSync(sweepFile, 'utf8')), sweepFile, () => out);
let first: Awaited<ReturnType<typeof sweepCli>>;

s('runs every trial: a run directory each, results.jsonl in sweep order, a ranked table, compare.html', async () => {
  first = await sweepCli(dir, 'sweep.json', '--out', 'out', '--concurrent', '2');
  assert.is(first.code, 1, 'a trial failed: exit 1\n' + first.stderr);
  assert.match(first.stdout, /6 to run \(0 already done\), 2 at once with 1 thread each \(--concurrent 2\)/);
  assert.match(first.stderr, /✖ 2 of 6 trials failed/);
  const results = readResults(out);
  assert.equal(
    results.map((r) => r.id),
    trials.map((t) => t.id),
  );
  for (const [i, r] of results.entries()) {
    const diverges = trials[i].config.train.optimizer.learningRate === 1e30;
    assert.is(r.status, diverges ? 'failed' : 'done', r.id);
    if (diverges) {
      assert.match(r.error!, /training diverged at epoch 1/);
      continue;
    }
    const files = readdirSync(join(out, 'trials', r.id)).sort();
    assert.equal(files, RUN_LISTING);
    assert.is(r.weightsSha256, sha256(join(out, 'trials', r.id, 'model.safetensors')));
    assert.is(r.value, r.final!.testAccuracy);
  }
  const table = rankedTable(first.stdout).split('\n');
  assert.is(table[0].replace(/ +/g, ' '), 'rank learningRate units testAccuracy (max) trial');
  assert.is(table.length, 1 + 6 + 1 + 2, 'header, 6 points, the failures');
  assert.match(table[5], /^ +- +1e\+30 +4 +failed/);
  const report = readFileSync(join(out, 'compare.html'), 'utf8');
  for (const r of results.filter((r) => r.status === 'done')) assert.ok(report.includes(r.id), r.id);
});

s('a trial trains exactly its config: its metrics equal train() run directly on it', async () => {
  const trial = trials[1]; // lr 0.05, units 8
  const direct = await train(parseConfig({ ...trial.config, parallel: { ...trial.config.parallel, workers: 1 } }), {
    write: false,
  });
  const lines = readFileSync(join(out, 'trials', trial.id, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const losses = lines.map((line) => JSON.parse(line).loss);
  assert.equal(
    losses,
    direct.metrics.map((m) => m.loss),
  );
});

s('resume: only missing or incomplete trials run again, and they come out the same', async () => {
  const [kept, halfDone, gone] = trials.filter((t) => t.config.train.optimizer.learningRate !== 1e30);
  const before = readResults(out);
  const keptWeights = join(out, 'trials', kept.id, 'model.safetensors');
  const keptTime = statSync(keptWeights).mtimeMs;
  rmSync(join(out, 'trials', halfDone.id, 'summary.json')); // as if killed before the end
  rmSync(join(out, 'trials', gone.id), { recursive: true });
  const again = await sweepCli(dir, 'sweep.json', '--out', 'out', '--concurrent', '1');
  assert.is(again.code, 1, 'the kept failures still count: exit 1');
  // the 2 incomplete ones; the 2 that diverged would diverge again: kept as they are, not run
  assert.match(
    again.stdout,
    /2 to run \(2 already done, 2 failed before with their own error and not retried: --retry-failed runs them\)/,
  );
  assert.is(statSync(keptWeights).mtimeMs, keptTime, 'a complete trial is not touched');
  const after = readResults(out);
  const strip = (r: (typeof after)[number]) => ({ ...r, final: null, summary: null, worker: null });
  assert.equal(after.map(strip), before.map(strip), 'same values, statuses and weights (sha256)');
  assert.is(rankedTable(again.stdout), rankedTable(first.stdout));
});

s('failed trials on a re-run: their own errors are kept unless --retry-failed; crashes run again', async () => {
  const diverging = readResults(out).filter((r) => r.status === 'failed');
  assert.equal(
    diverging.map((r) => r.failure),
    ['error', 'error'],
  );
  // One trial-runner process is enough for two failing trials (each runner costs ~1 s of CPU to start).
  const retried = await sweepCli(dir, 'sweep.json', '--out', 'out', '--retry-failed', '--concurrent', '1');
  assert.is(retried.code, 1);
  assert.match(retried.stdout, /2 to run \(4 already done\)/);
  assert.match(retried.stdout, /✖ failed \(local-\d\): .*training diverged at epoch 1/);
  // A failure recorded as a crash (a killed runner process) is tried again without being asked.
  const path = join(out, 'results.jsonl');
  const lines = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const crashed = lines.find((r) => r.id === diverging[0].id);
  crashed.failure = 'crash';
  crashed.error = 'the trial-runner process exited (SIGKILL)';
  writeFileSync(path, lines.map((r) => JSON.stringify(r) + '\n').join(''));
  const third = await sweepCli(dir, 'sweep.json', '--out', 'out');
  assert.match(
    third.stdout,
    /1 to run \(4 already done, 1 failed before with their own error and not retried: --retry-failed runs them\)/,
  );
  const after = new Map(readResults(out).map((r) => [r.id, r]));
  assert.match(after.get(diverging[0].id)!.error!, /training diverged/, 'run again: its own error again');
  assert.is(after.get(diverging[0].id)!.failure, 'error');
});

s('a directory holding another trial, or an unfinished one, is not taken for complete', () => {
  const [a, b] = trials;
  const metric = 'testAccuracy';
  assert.ok(readCompletedTrial(b, out, metric), 'b is complete');
  assert.is(readCompletedTrial(a, join(dir, 'nowhere'), metric), null);
  // b's files under a's id: config.json says which trial it is
  const fake = join(dir, 'fake');
  cpSync(join(out, 'trials', b.id), join(fake, 'trials', a.id), { recursive: true });
  assert.is(readCompletedTrial(a, fake, metric), null);
  assert.ok(existsSync(join(fake, 'trials', a.id, 'summary.json')));
});

s('a base with a validation split ranks by validation metrics, and by test scores from summary.json', async () => {
  const validated = join(dir, 'validated');
  const base = { ...tinyBase(), data: { source: 'synthetic', kind: 'spiral', n: 200, validation: 0.25 } };
  const grid = { 'train.optimizer.learningRate': [0.05, 0.2] };
  writeJson(join(dir, 'validated.json'), { name: 'v', base, grid, rank: { metric: 'validationLoss' } });
  const { code, stdout, stderr } = await sweepCli(dir, 'validated.json', '--out', 'validated');
  assert.is(code, 0, stderr);
  assert.match(rankedTable(stdout), /^rank +learningRate +validationLoss \(min\) +trial\n +1 /);
  const results = readResults(validated);
  for (const r of results) {
    assert.is(typeof r.value, 'number');
    assert.is(r.value, r.final!.validationLoss);
    // The epoch lines hold no test score when a validation split chooses: the run scores it once, at the end.
    assert.is(r.final!.testAccuracy, null);
  }
  const { trials: validatedTrials } = parseSweep(
    { name: 'v', base, grid },
    join(dir, 'validated.json'),
    () => validated,
  );
  for (const [i, trial] of validatedTrials.entries()) {
    const byTest = readCompletedTrial(trial, validated, 'testAccuracy')!;
    assert.is(typeof byTest.value, 'number');
    assert.is(byTest.value, results[i].summary!.testAccuracy);
  }
});

s.run();
