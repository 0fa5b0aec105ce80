/**
 * Issue 16, "no new per-step allocation": with weight decay on weights only, or decoupled, the
 * optimizer updates a range piece by piece. The pieces' views are cut once, when the compute
 * thread sets up its ranges: every step hands the kernels the very same view objects.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.ts';
import type { Kernels } from '../../src/kernels/types.ts';
import { allocateArena } from '../../src/train/arena.ts';
import { ComputeThread } from '../../src/train/compute-thread.ts';
import type { Phase } from '../../src/train/phase.ts';
import { prepareRun } from '../../src/train/setup.ts';
import { spiralConfig } from './helpers.ts';

const s = suite('optimizer views');

/** A compute thread of an AdamW run, decay on weights only, whose kernels record adam's `w` arguments. */
async function recordingThread(): Promise<{ thread: ComputeThread; calls: Float32Array[][]; ranges: number }> {
  const input = spiralConfig({ kernels: 'reference', workers: 1 });
  input.train!.optimizer = { type: 'adam', learningRate: 0.01, weightDecay: 0.1, decoupled: true, applyTo: 'weights' };
  const { setup } = await prepareRun(parseConfig(input));
  const thread = new ComputeThread(allocateArena(setup.layout), setup, 0);
  const calls: Float32Array[][] = [];
  const real = thread.kernels;
  const adam: Kernels['adam'] = (w, ...rest) => {
    calls.at(-1)!.push(w);
    real.adam(w, ...rest);
  };
  Object.defineProperty(thread, 'kernels', { value: { ...real, adam } });
  return { thread, calls, ranges: setup.rangeCount };
}

const phase = (step: number, params: number): Phase => ({
  ...{ sequence: 0, command: 0, base: 0, chunks: 4, ranges: 1, batchStart: 0, batchSize: 32, stage: 0 },
  step,
  params,
});

s('decayed pieces: every step updates through the views cut when the ranges were set up', async () => {
  const { thread, calls, ranges } = await recordingThread();
  assert.is(ranges, 1, 'the spiral net is one range');
  for (const [step, params] of [
    [0, 0],
    [1, 1],
    [2, 0],
    [3, 1],
  ]) {
    calls.push([]);
    thread.reduceRange(phase(step, params), 0);
  }
  // 2-16-3: weights, bias, weights, bias — four pieces, two of them decayed, one adam call each.
  assert.equal(
    calls.map((c) => c.length),
    [4, 4, 4, 4],
  );
  const [even, odd] = [calls[0], calls[1]];
  calls[2].forEach((w, i) => assert.ok(w === even[i], `step 3, piece ${i}: a new view of buffer 0`));
  calls[3].forEach((w, i) => assert.ok(w === odd[i], `step 4, piece ${i}: a new view of buffer 1`));
  even.forEach((w, i) => assert.ok(w.buffer === odd[i].buffer && w.byteOffset !== odd[i].byteOffset, `piece ${i}`));
  assert.equal(
    even.map((w) => w.length),
    [32, 16, 48, 3],
  );
});

s.run();
