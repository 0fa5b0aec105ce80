import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgressBar, formatEpoch } from '../../src/cli/progress.ts';

const s = suite('progress bar');

function fakeTerminal() {
  const written: string[] = [];
  return { written, stream: { write: (text: string) => written.push(text) } };
}

s('draws the epoch, a bar filled by the share of steps done, samples/s, loss and ETA', () => {
  const { written, stream } = fakeTerminal();
  const bar = new ProgressBar(4, stream);
  // Half the steps in 2 s: 1000 samples/s, 2 s to go.
  bar.step({ epoch: 2, step: 5, steps: 10, samples: 2000, loss: 0.25, seconds: 2 });
  assert.is(written.length, 1);
  assert.match(written[0], /^\repoch 2\/4 \[#{12}\.{12}\] 1000 samples\/s {2}loss 0\.2500 {2}ETA 2\.0s/);
});

s('redraws at most every 100 ms, but always draws the last step', () => {
  const { written, stream } = fakeTerminal();
  let now = 1000;
  const bar = new ProgressBar(1, stream, () => now);
  const step = (step: number) =>
    bar.step({ epoch: 1, step, steps: 5, samples: 10 * step, loss: 1, seconds: step / 100 });
  step(1); // the first step is drawn
  now += 99;
  step(2); // 99 ms later: skipped
  now += 1;
  step(3); // 100 ms after the last drawing: drawn
  now += 10;
  step(4); // skipped
  now += 10;
  step(5); // the last step: drawn however soon
  assert.is(written.length, 3);
  assert.match(written[0], /\[#{5}\.{19}\]/);
  assert.match(written[1], /\[#{14}\.{10}\]/);
  assert.match(written[2], /\[#{24}\]/);
});

s('ends each epoch with its metrics on a line of their own', () => {
  const { written, stream } = fakeTerminal();
  const metrics = {
    epoch: 1,
    loss: 0.5,
    trainAccuracy: 0.8,
    testAccuracy: 0.75,
    testLoss: 0.6,
    learningRate: 0.1,
    samplesPerSec: 1234.4,
    seconds: 1.5,
    workers: 2,
  };
  new ProgressBar(3, stream).epoch(metrics);
  assert.ok(
    written[0].startsWith(
      '\repoch 1/3  loss 0.5000  train acc 0.8000  test acc 0.7500  1234 samples/s  1.50s  (2 workers)',
    ),
  );
  assert.ok(written[0].endsWith('\n'));
  assert.not.match(formatEpoch({ ...metrics, testAccuracy: null }, 3), /test acc/);
  assert.match(formatEpoch({ ...metrics, workers: 1 }, 3), /\(1 worker\)$/);
});

s.run();
