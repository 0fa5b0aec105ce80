import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KERNELS, runNode } from './helpers.ts';

/**
 * A worker that throws or exits mid-step: the step is retried on fresh workers and the result is
 * bitwise the one without the fault; after 3 failures of one step the run stops naming the step.
 * Each case runs in a child process that must end by itself (no thread left behind) within 60 s.
 */
const s = suite('worker faults');

interface Line {
  run: string;
  ok?: boolean;
  digest?: string;
  steps?: number;
  name?: string;
  message?: string;
  exitCode?: number;
  seconds: number;
}

async function faultRun(
  kind: string,
  times: number,
  kernels: string,
  workers: number,
  phase = 'chunk',
): Promise<{ clean: Line; fault: Line }> {
  const child = await runNode(
    ['test/train/fixtures/fault-run.ts', kind, String(times), kernels, String(workers), phase],
    60_000,
  );
  assert.not.ok(
    child.timedOut,
    `the child did not exit within 60 s (a hang or a leftover thread)\n${child.stdout}\n${child.stderr}`,
  );
  assert.is(child.code, 0, `child exit code\n${child.stderr}`);
  const lines = child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
  assert.is(lines.length, 2, child.stdout);
  return { clean: lines[0], fault: lines[1] };
}

const cases = KERNELS.flatMap((kernels) => (['throw', 'exit'] as const).map((kind) => ({ kernels, kind })));

for (const { kernels, kind } of cases) {
  s(
    `${kernels}: a worker that ${kind === 'throw' ? 'throws' : 'calls process.exit'} once at step 3: same weights as without the fault`,
    async () => {
      const { clean, fault } = await faultRun(kind, 1, kernels, 2);
      assert.ok(fault.ok, `the faulty run failed: ${fault.message}`);
      assert.is(fault.steps, clean.steps);
      assert.is(fault.digest, clean.digest, 'weights after a retried step');
    },
  );

  s(
    `${kernels}: a worker that ${kind === 'throw' ? 'throws' : 'exits'} 3 times at step 3 stops the run naming the step`,
    async () => {
      const { fault } = await faultRun(kind, 3, kernels, 2);
      assert.is(fault.ok, false, 'the run must reject');
      assert.is(fault.name, 'UserError');
      assert.match(fault.message ?? '', 'step 3 failed 3 times');
      assert.match(fault.message ?? '', kind === 'throw' ? 'injected fault at step 3' : 'exited');
      // Each failure is noticed through the pool, not by the 10 s step timeout.
      assert.ok(fault.seconds < 10, `took ${fault.seconds} s: a failure was only noticed by a timeout`);
    },
  );
}

s('3 threads, a fault twice (one retry left): same weights as without the fault', async () => {
  const { clean, fault } = await faultRun('exit', 2, 'wasm', 3);
  assert.ok(fault.ok, `the faulty run failed: ${fault.message}`);
  assert.is(fault.digest, clean.digest);
});

for (const kernels of KERNELS) {
  s(
    `${kernels}: a worker that dies after writing its share of the parameter update: the committed parameters are untouched, the retry gives the same weights`,
    async () => {
      // The update of a step goes to the uncommitted buffer; with an in-place update this run would
      // retry the step from half-updated parameters and end with different weights.
      const { clean, fault } = await faultRun('exit', 1, kernels, 2, 'update');
      assert.ok(fault.ok, `the faulty run failed: ${fault.message}`);
      assert.is(fault.digest, clean.digest, 'weights after a step retried from mid-update');
    },
  );
}

s.run();
