import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseQueue } from '../../src/sweep/follow.ts';

const s = suite('which queued sweep a worker serves');

const q = (name: string, waiting: number, active: number) => ({ name, waiting, active });

s('the oldest sweep with trials waiting; nothing to do: none', () => {
  assert.is(chooseQueue([q('a', 0, 0), q('b', 3, 0), q('c', 5, 0)], null), 'b');
  assert.is(chooseQueue([q('a', 0, 0)], null), null);
  assert.is(chooseQueue([], 'gone'), null);
});

s('stays on its sweep while trials wait there, even if an older sweep has some', () => {
  assert.is(chooseQueue([q('a', 4, 0), q('b', 1, 2)], 'b'), 'b');
});

s('moves on when its sweep has nothing waiting and another has', () => {
  assert.is(chooseQueue([q('a', 0, 2), q('b', 3, 0)], 'a'), 'b');
});

s('nothing waits anywhere: serves a sweep with trials in progress (to catch a dead worker’s trials)', () => {
  // the case of a worker that arrives after another took every trial, and must check them for stalls
  assert.is(chooseQueue([q('a', 0, 0), q('b', 0, 1)], null), 'b');
  assert.is(chooseQueue([q('a', 0, 1), q('b', 0, 1)], 'b'), 'b', 'its own first');
  assert.is(chooseQueue([q('a', 0, 0), q('b', 0, 0)], 'b'), null, 'finished: let go');
});

s.run();
