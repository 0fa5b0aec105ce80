import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/examples/sweep.ts';
import { train, type RunConfigInput } from '../../src/index.ts';
import { assertBadInput, repoRoot, runMain, runNode } from '../support/cli.ts';

/** The example sweep script, through its main(argv, io) in this process; one smoke test as a child process. */
const s = suite('example sweep script');

/** Test accuracies are shares of the example's 2,000 test digits, printed with 4 decimals: k / 2000 exactly. */
function assertAccuracy(cell: string): void {
  const accuracy = Number(cell);
  assert.ok(accuracy >= 0 && accuracy <= 1, cell);
  assert.ok(Math.abs(accuracy * 2000 - Math.round(accuracy * 2000)) < 1e-6, `${cell} is not a count out of 2000`);
}

s('a 2×1 grid: one row per width, one column per rate, each cell the test accuracy of that run', async () => {
  const args = ['--epochs', '1', '--train', '300', '--units', '20,30', '--rates', '0.2', '--workers', '1'];
  const { code, stdout, stderr } = await runMain(main, args);
  assert.is(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.is(lines[0], 'test accuracy after 1 epoch');
  assert.match(lines[1], /^units \\ lr\s+0\.2$/);
  const rows = lines.slice(2).map((line) => line.trim().split(/\s+/));
  assert.equal(
    rows.map((r) => [r[0], r.length]),
    [
      ['20', 2],
      ['30', 2],
    ],
  );
  rows.forEach((r) => assertAccuracy(r[1]));
  // The 30-unit cell is the run a user would write by hand from the example config.
  const example = JSON.parse(readFileSync(join(repoRoot, 'data/configs/mnist-mlp.json'), 'utf8'));
  example.data.train = 300;
  example.model.layers[0].units = 30;
  example.train = { ...example.train, epochs: 1, optimizer: { type: 'sgd', learningRate: 0.2 } };
  const { summary } = await train(example as RunConfigInput, { write: false, workers: 1 });
  assert.is(rows[1][1], summary.testAccuracy!.toFixed(4));
});

const bad: Array<[string[], string | RegExp, string]> = [
  [['--epochs', 'abc'], '--epochs must be a whole number ≥ 1, got "abc"', '--epochs'],
  [['--epochs', '0'], 'got "0"', '--epochs'],
  [['--train', '9000'], '--train must be a whole number from 1 to 8000, got "9000"', '--train'],
  [['--rates', '0.1,,0.3'], 'comma-separated list', '--rates'],
  [['--rates', '0.1,0'], '--rates must be a number > 0, got "0"', '--rates'],
  [['--units', '25,x'], 'got "x"', '--units'],
  [['--workers', 'abc'], 'got "abc"', '--workers'],
  [['--epoch', '2'], 'unknown flag (did you mean --epochs?)', '--epoch'],
  [['3'], /expected 0 arguments, got 1\n✖ usage: npm run sweep/, ''],
];
for (const [args, expected, at] of bad) {
  s(`${args.join(' ')}: exit 2 with a ✖ line naming the flag, before any training`, async () => {
    assertBadInput(await runMain(main, args), expected, at || undefined);
  });
}

s('--help lists every flag with its default', async () => {
  const { code, stdout } = await runMain(main, ['--help']);
  assert.is(code, 0);
  assert.match(stdout, /^usage: npm run sweep -- /);
  for (const flag of [/--epochs N .*\(default 3\)/, /--rates LIST .*\(default 0\.03,0\.1,0\.3\)/, /--units LIST/])
    assert.match(stdout, flag);
});

s('smoke, as a child process: a 1×1 sweep prints its table, exit 0', async () => {
  const run = await runNode(
    ['src/examples/sweep.ts', '--epochs', '1', '--train', '200', '--units', '10', '--rates', '0.1', '--workers', '1'],
    60_000,
  );
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.slice(0, 2), ['test accuracy after 1 epoch', 'units \\ lr     0.1']);
  assert.match(lines[2], /^ {8}10 {2}[01]\.\d{4}$/);
  assertAccuracy(lines[2].trim().split(/\s+/)[1]);
  assert.is(lines.length, 3);
});

s.run();
