import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fitFields } from '../../src/cli/fit.ts';
import { ProgressBar, formatEpoch } from '../../src/cli/progress.ts';
import type { EpochMetrics } from '../../src/train/train.ts';
import { FakeTerminal } from './fake-terminal.ts';

const s = suite('progress bar');

const metrics = (epoch: number): EpochMetrics => ({
  epoch,
  loss: 0.5 / epoch,
  trainAccuracy: 0.8333333333333334,
  testAccuracy: 0.75,
  testLoss: 0.6,
  learningRate: 0.1,
  samplesPerSec: 461234.4,
  seconds: 1.5,
  workers: 2,
});

/** A clock the test moves by hand. */
function clock(start = 0) {
  const time = { now: start };
  return { time, now: () => time.now };
}

/** Two epochs of 50 steps, a step every 20 ms after a 3 s first step, on a terminal `columns` wide. */
function run(columns: number) {
  const terminal = new FakeTerminal(columns);
  const { time, now } = clock();
  const bar = new ProgressBar(2, terminal, now);
  bar.loading();
  time.now += 4000;
  bar.loading();
  bar.line('spiral: 2-64-3 relu · 387 parameters · 2,400 train / 600 test · batch 10 × 2 epochs · 1 worker');
  for (let epoch = 1; epoch <= 2; epoch++) {
    for (let step = 1; step <= 50; step++) {
      time.now += epoch === 1 && step === 1 ? 3000 : 20;
      bar.step({ epoch, step, steps: 50, samples: 10 * step, loss: 1 / step + 1e-9, seconds: step / 50 });
    }
    bar.epoch(metrics(epoch));
  }
  return terminal;
}

for (const columns of [40, 80, 200]) {
  s(`at ${columns} columns: no line wraps, the bar is redrawn in place, no stale line is left`, () => {
    const terminal = run(columns);
    assert.equal(terminal.wrappedBy, [], 'no write made a row wrap');
    for (const row of terminal.rows) assert.ok(row.length < columns, `${row.length} ≥ ${columns}: ${row}`);
    // What stays on the screen: the start line, one line per epoch, and the empty row under them.
    assert.is(terminal.rows.length, 4, terminal.rows.join('\n'));
    assert.match(terminal.rows[0], /^spiral: 2-64-3 relu/);
    assert.match(terminal.rows[1], /^epoch 1\/2 {2}loss 0\.5000 {2}/);
    assert.match(terminal.rows[2], /^epoch 2\/2 {2}loss 0\.2500 {2}/);
    assert.is(terminal.rows[3], '');
    const redraws = terminal.writes.filter((text) => text.startsWith('\r') && !text.endsWith('\n'));
    assert.ok(redraws.length >= 10, `${redraws.length} redraws`);
    for (const text of redraws) assert.ok(text.endsWith('\x1b[K'), 'each redraw erases what a longer one left');
  });
}

s('at 200 columns every field is shown; at 40 the least important go first', () => {
  const wide = run(200).rows;
  assert.is(
    wide[1],
    'epoch 1/2  loss 0.5000  train acc 0.8333  test acc 0.7500  461,234 samples/s  1.50 s  (2 workers)',
  );
  assert.ok(wide[0].endsWith('· 1 worker'));
  const narrow = run(40).rows;
  assert.is(narrow[1], 'epoch 1/2  loss 0.5000  test acc 0.7500');
});

s('the live line at 80 columns: epoch, a bar filled by the share of steps done, ETA, loss, samples/s', () => {
  const terminal = new FakeTerminal(80);
  const { time, now } = clock();
  const bar = new ProgressBar(4, terminal, now);
  for (let step = 1; step <= 5; step++) {
    time.now += 200;
    bar.step({ epoch: 2, step, steps: 10, samples: 2000, loss: 0.25, seconds: 2 });
  }
  // Steps 2–5 took 200 ms each; 5 steps of epoch 2 and 20 of epochs 3–4 are left: 25 × 0.2 s. The bar
  // takes what the other fields leave of the 79 usable columns: 24.
  assert.is(terminal.rows[0], 'epoch 2/4  [############............]  ETA 5.00 s  loss 0.2500  1,000 samples/s');
});

s('the ETA: none before a few steps, then the pace since the first step (whose start-up it leaves out)', () => {
  const terminal = new FakeTerminal(120);
  const { time, now } = clock();
  const bar = new ProgressBar(2, terminal, now);
  const step = (n: number, ms: number) => {
    time.now += ms;
    bar.step({ epoch: 1, step: n, steps: 10, samples: n, loss: 1, seconds: time.now / 1000 });
    return terminal.rows[0];
  };
  assert.match(step(1, 2000), 'ETA …', 'the first step: 2 s of threads starting');
  assert.match(step(2, 200), 'ETA …');
  assert.match(step(3, 200), 'ETA …', 'two steps since the first: not yet');
  // Three steps of 200 ms since the first: 16 of the run's 20 steps are left, 3.20 s. The mean over
  // every step so far (2.6 s / 4 steps) would say 10.40 s: the start-up is left out.
  assert.match(step(4, 200), 'ETA 3.20 s');
  assert.match(step(5, 400), 'ETA 3.75 s', '1 s over 4 steps since the first: 15 left × 0.25 s');
});

s('no ETA within the first half second, however many steps', () => {
  const terminal = new FakeTerminal(120);
  const { time, now } = clock();
  const bar = new ProgressBar(1, terminal, now);
  for (let n = 1; n <= 40; n++) {
    time.now += 10;
    bar.step({ epoch: 1, step: n, steps: 1000, samples: n, loss: 1, seconds: n / 100 });
  }
  assert.match(terminal.rows[0], 'ETA …');
});

s('redraws at most every 100 ms, but always draws the last step', () => {
  const terminal = new FakeTerminal(80);
  let now = 1000;
  const bar = new ProgressBar(1, terminal, () => now);
  const step = (n: number) => bar.step({ epoch: 1, step: n, steps: 5, samples: 10 * n, loss: 1, seconds: n / 100 });
  step(1); // the first step is drawn
  now += 99;
  step(2); // 99 ms later: skipped
  now += 1;
  step(3); // 100 ms after the last drawing: drawn
  now += 10;
  step(4); // skipped
  now += 10;
  step(5); // the last step: drawn however soon
  assert.is(terminal.writes.length, 3);
  assert.match(terminal.writes[2], /\[#+\]/, 'the bar full');
});

s('a resize redraws the live line at the new width, over the old one', () => {
  const terminal = new FakeTerminal(200);
  const bar = new ProgressBar(3, terminal, () => 0);
  bar.step({ epoch: 1, step: 5, steps: 10, samples: 50, loss: 0.123456, seconds: 1 });
  const wide = terminal.rows[0];
  terminal.resize(40);
  bar.redraw();
  assert.is(terminal.rows.length, 1);
  assert.ok(terminal.rows[0].length < 40, terminal.rows[0]);
  assert.ok(wide.length > 40, wide);
  assert.is(terminal.rows[0], 'epoch 1/3  [###...]  ETA …  loss 0.1235', 'samples/s dropped, the bar shrunk');
});

s('loading data: shown at once, the time after a second, replaced by the next line', () => {
  const terminal = new FakeTerminal(80);
  const { time, now } = clock();
  const bar = new ProgressBar(1, terminal, now);
  bar.loading();
  assert.is(terminal.rows[0], 'loading data…');
  time.now += 6500;
  bar.loading();
  assert.is(terminal.rows[0], 'loading data…  6.50 s');
  bar.line('run: 784-50-10 relu');
  assert.equal(terminal.rows, ['run: 784-50-10 relu', '']);
  bar.clear(); // nothing live: nothing to erase
  assert.equal(terminal.rows, ['run: 784-50-10 relu', '']);
});

s('formatEpoch: the whole line for output that is not a terminal, numbers for people', () => {
  assert.is(
    formatEpoch(metrics(1), 3),
    'epoch 1/3  loss 0.5000  train acc 0.8333  test acc 0.7500  461,234 samples/s  1.50 s  (2 workers)',
  );
  assert.not.match(formatEpoch({ ...metrics(1), testAccuracy: null }, 3), /test acc/);
  assert.not.match(formatEpoch(metrics(1), 3), /val acc/, 'no validation split: no validation field');
  const validated = { ...metrics(1), testAccuracy: null, validationAccuracy: 0.6, validationLoss: 1.25 };
  assert.is(
    formatEpoch(validated, 3),
    'epoch 1/3  loss 0.5000  train acc 0.8333  val acc 0.6000 loss 1.2500  461,234 samples/s  1.50 s  (2 workers)',
  );
  assert.match(formatEpoch({ ...validated, testAccuracy: 0.75 }, 3), 'val acc 0.6000 loss 1.2500  test acc 0.7500');
  assert.match(formatEpoch({ ...metrics(1), workers: 1 }, 3), /\(1 worker\)$/);
  assert.match(formatEpoch({ ...metrics(1), loss: 1.8e60 }, 3), 'loss 1.80e+60');
});

s('fitFields: shortens before it drops, drops the least important, cuts as a last resort', () => {
  const fields = [
    { text: 'aaaa', keep: 3 },
    { text: 'bbbbbbbb', short: 'bb', keep: 1 },
    { text: 'cccc', keep: 2 },
  ];
  assert.is(fitFields(fields, 100), 'aaaa  bbbbbbbb  cccc');
  assert.is(fitFields(fields, 14), 'aaaa  bb  cccc');
  assert.is(fitFields(fields, 13), 'aaaa  cccc');
  assert.is(fitFields(fields, 9), 'aaaa');
  assert.is(fitFields(fields, 3), 'aa…');
});

s.run();
