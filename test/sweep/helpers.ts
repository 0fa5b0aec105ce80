/** Shared by the sweep tests: tiny sweeps on synthetic data, scratch directories, the CLI in-process. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type SweepIo } from '../../src/cli/sweep.ts';
import type { TrialResult } from '../../src/sweep/results.ts';
import { tempDir } from '../support/temp.ts';

/** A 2-8-3 net on 200 spiral points (160 train, 40 test), 2 epochs of 5 steps: ~0.1 s a trial. */
export function tinyBase(): Record<string, unknown> {
  return {
    seed: 7,
    data: { source: 'synthetic', kind: 'spiral', n: 200 },
    model: { layers: [{ type: 'affine', units: 8 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: { epochs: 2, batchSize: 32, optimizer: { type: 'momentum', learningRate: 0.1 } },
    parallel: { chunks: 4 },
  };
}

/** A fresh directory under the OS temp dir, removed when the process exits. */
export function scratchDir(prefix: string): string {
  return tempDir(`shardprop-sweep-${prefix}-`);
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** Runs `npm run sweep` in this process; paths are resolved against `cwd`. */
export async function sweepCli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: SweepIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function readResults(outDir: string): TrialResult[] {
  return readFileSync(join(outDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrialResult);
}

export function sha256(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

/** The ranked table a sweep printed: from the header line to the blank line before `results:`. */
export function rankedTable(stdout: string): string {
  const start = stdout.indexOf('\nrank ');
  const end = stdout.indexOf('\n\nresults:');
  return start < 0 || end < 0 ? '' : stdout.slice(start + 1, end);
}

export const noStack = (stderr: string) => !/^\s+at .+:\d+:\d+\)?$/m.test(stderr);
