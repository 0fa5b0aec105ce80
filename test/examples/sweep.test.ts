import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('example sweep script');

s('prints a 3×3 table of test accuracies, one row per hidden-unit count', () => {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/examples/sweep.ts', '--epochs', '1', '--train', '400'],
    { encoding: 'utf8' },
  );
  assert.is(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.is(lines[0], 'test accuracy after 1 epochs');
  assert.match(lines[1], /units \\ lr\s+0\.03\s+0\.1\s+0\.3/);
  const rows = lines.slice(2).map((line) => line.trim().split(/\s+/));
  assert.equal(
    rows.map((r) => r[0]),
    ['25', '50', '100'],
  );
  for (const row of rows) {
    for (const cell of row.slice(1)) {
      const accuracy = Number(cell);
      // 10 classes: an accuracy is a share of the 2,000 test digits, between 0 and 1.
      assert.ok(accuracy >= 0 && accuracy <= 1 && Number.isInteger(Math.round(accuracy * 2000)), cell);
    }
  }
});

s.run();
