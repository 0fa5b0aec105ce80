import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { explore } from './interleave/explorer.ts';
import { currentProtocol, previousProtocol } from './interleave/models.ts';
import { evaluate, scenarios, stats, train } from './interleave/scenarios.ts';

/**
 * Every interleaving (up to a bound on preemptions) of the coordinator and late workers through
 * every shared-memory access of the phase protocol, across each kind of phase change. Invariants:
 * no barrier passes before every item of its own phase ran exactly once; no item runs with another
 * phase's descriptor, out of range, or while another phase is published; no thread is left stuck.
 * `--exhaustive` (npm run interleavings) raises every bound by one.
 */
const s = suite('phase protocol interleavings');
const exhaustive = process.argv.includes('--exhaustive');

let total = 0;
for (const { name, script, workers, bound, exhaustiveBound } of scenarios) {
  const preemptions = exhaustive ? exhaustiveBound : bound;
  s(`current protocol, ${name}: no violation in any interleaving (≤ ${preemptions} preemptions)`, () => {
    const result = explore(currentProtocol(script, workers), preemptions);
    assert.is(result.violation, null, JSON.stringify(result.violation));
    assert.ok(result.interleavings > 50, `explored only ${result.interleavings} interleavings`);
    total += result.interleavings;
    console.log(`[report] ${name}: ${result.interleavings} interleavings, ${result.states} states`);
  });
}

s('the previous protocol fails: a late evaluation worker takes a chunk of the next training phase', () => {
  const result = explore(previousProtocol([evaluate(1), train(2)], 1), 2);
  assert.ok(result.violation, 'the explorer must find the race in the protocol before the fix');
  assert.match(result.violation!.message, /in a training phase|index out of range|barrier/);
  console.log(`[report] previous protocol: ${result.violation!.message} (${result.violation!.schedule.length} steps)`);
});

s('a coordinator that skips the barrier after a statistics stage is caught (the checker sees the dependency)', () => {
  const result = explore(currentProtocol([stats(2, 0), train(2)], 1, { skipStatisticsBarrier: true }), 2);
  assert.ok(result.violation, 'the explorer must find a chunk that ran before the statistics it reads were complete');
  assert.match(result.violation!.message, /statistics phase|another phase is published/);
  console.log(`[report] no statistics barrier: ${result.violation!.message}`);
});

s('the previous protocol passes a single training step (the checker is not merely strict)', () => {
  const result = explore(previousProtocol([train(1, 2, 1)], 1), 2);
  assert.is(result.violation, null, JSON.stringify(result.violation));
});

s.after(() => console.log(`[report] ${total} interleavings in all`));
s.run();
