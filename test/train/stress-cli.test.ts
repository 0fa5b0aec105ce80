import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/stress.ts';
import { stressCase } from '../../src/stress/plan.ts';
import { assertBadInput, runMain } from '../support/cli.ts';

/**
 * `npm run stress` through its main(argv, io) in this process (under test/train/: it trains with
 * worker threads). A bad flag is refused before anything runs or is spawned; a short run compares
 * the weights of a multi-thread run with the 1-thread run of its config and reports what it did.
 * (--kills kills real child processes: src/stress/kills.ts, not run here.)
 */
const s = suite('stress CLI');
const stress = (...argv: string[]) => runMain(main, argv);

s('a bad number in a flag names the flag, exit 2, nothing run', async () => {
  assertBadInput(await stress('--runs', '0'), '--runs must be a whole number ≥ 1, got "0"', '--runs');
  assertBadInput(await stress('--threads', '2,x'), 'got "x"', '--threads');
  assertBadInput(await stress('--threads', '2,257'), '--threads must be a whole number from 1 to 256', '--threads');
  assertBadInput(await stress('--load=-1'), '--load must be a whole number ≥ 0, got "-1"', '--load');
  assertBadInput(await stress('--seed', 'one'), '--seed must be a whole number ≥ 0', '--seed');
});

s('--kills: a bad count or worker list is refused before any process starts', async () => {
  assertBadInput(await stress('--kills', '0'), '--kills must be a whole number from 1 to 10000, got "0"', '--kills');
  assertBadInput(
    await stress('--kills', '3', '--workers-list', '1,0'),
    '--workers-list must be a whole number from 1 to 256, got "0"',
    '--workers-list',
  );
});

s('an argument is refused: the command takes flags only; each form of the usage is a ✖ line', async () => {
  const result = await stress('extra');
  assertBadInput(result, 'expected 0 arguments, got 1');
  assert.ok(result.stderr.includes('\n✖ usage: npm run stress -- [--runs N]'), result.stderr);
  assert.ok(result.stderr.includes('\n✖ usage: npm run stress -- --kills N [--workers-list LIST]'), result.stderr);
});

s('a run with 2 threads gives the weights of its 1-thread run and reports the phase changes of its case', async () => {
  // Seed 2's first case: 34 training rows in one full batch on 4 chunks, 17 test rows in 2
  // evaluation chunks, 4 epochs: per epoch TRAIN→EVAL, between epochs EVAL→TRAIN with more chunks.
  const c = stressCase(2, 0);
  assert.equal([c.trainRows, c.testRows, c.config.train?.batchSize, c.config.train?.epochs], [34, 17, 34, 4]);
  const result = await stress('--runs', '1', '--threads', '2', '--seed', '2', '--json');
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stderr, '');
  const lines = result.stdout.trim().split('\n');
  assert.is(lines.length, 1, 'with --json only the summary line');
  const { seconds, ...summary } = JSON.parse(lines[0]);
  assert.type(seconds, 'number');
  assert.equal(summary, {
    runs: 1,
    threads: [2],
    load: 0,
    transitions: 4 + 3 + 1,
    byKind: { 'TRAIN→EVAL': 4, 'EVAL→TRAIN with more chunks': 3, '→STOP': 1 },
    mismatches: 0,
  });
});

s.run();
