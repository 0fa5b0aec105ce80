import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryRows } from '../../src/report/summary.ts';

const s = suite('report: machine and timing rows');

s('the machine block of summary.json gets readable labels; unknown fields keep their dotted path', () => {
  const rows = summaryRows({
    workers: 2,
    machine: { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', platform: 'linux-x64' },
    extra: { thing: 1 },
  });
  assert.equal(rows, [
    ['compute threads', 2],
    ['CPU', 'AMD EPYC'],
    ['CPU cores', 2],
    ['Node.js', 'v20.20.2'],
    ['platform', 'linux-x64'],
    ['extra.thing', 1],
  ]);
});

s.run();
