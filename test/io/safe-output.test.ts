import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardOutput } from '../../src/io/safe-output.ts';
import { finished, fixture, repoRoot, startNode } from './helpers.ts';

/**
 * A closed stdout must not stop training (issue 10, defect 4): `… --json | head -c 10`, a dying tee.
 * Real pipes, closed early by the reader, with a child process that keeps writing.
 */
const s = suite('guarded output');

/** Starts the writer fixture and closes the read end of its stdout after the first chunk. */
async function closedEarly(mode: string) {
  const child = startNode([fixture('writer.ts'), mode]);
  const result = finished(child);
  child.stdout!.once('data', () => child.stdout!.destroy());
  return result;
}

s('the reader closes the pipe: the writer is told once (EPIPE), drops the rest, and finishes', async () => {
  for (const mode of ['guarded', 'console']) {
    const result = await closedEarly(mode);
    assert.is(result.code, 0, `${mode}: ${result.stderr}`);
    assert.is(
      result.stderr,
      'stdout closed (EPIPE); training goes on\nfinished 200 epochs; stdout closed: true\n',
      mode,
    );
  }
});

s('negative control: unguarded, the same closed pipe kills the writer with EPIPE (the old behaviour)', async () => {
  const result = await closedEarly('raw');
  assert.is.not(result.code, 0);
  assert.match(result.stderr, 'EPIPE');
  assert.not.match(result.stderr, 'finished 200 epochs');
});

s('`| head -c 10` in a real shell: head gets its 10 bytes, the writer exits 0', async () => {
  const writer = `"${process.execPath}" --import tsx "${fixture('writer.ts')}" guarded`;
  const command = `${writer} | head -c 10; echo " exit=\${PIPESTATUS[0]}"`;
  const shell = spawn('bash', ['-c', command], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = await finished(shell);
  assert.is(result.stdout, '{"epoch":1 exit=0\n', result.stderr);
  assert.match(result.stderr, 'finished 200 epochs; stdout closed: true');
});

s('in-process: the first failure closes the guard, later writes never reach the stream', async () => {
  let writes = 0;
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      writes++;
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const told: string[] = [];
  const guard = guardOutput(stream, (error) => told.push((error as NodeJS.ErrnoException).code!));
  assert.is(guardOutput(stream), guard, 'one guard per stream');
  guard.write('a\n');
  await new Promise((resolve) => setImmediate(resolve)); // a stream reports a failed write on the next tick
  assert.is(guard.closed, true);
  for (let i = 0; i < 5; i++) guard.write('b\n');
  assert.is(writes, 1);
  assert.equal(told, ['EPIPE']);
});

s.run();
