/**
 * Shared by the trainer tests: small configs and byte comparisons; temp dirs, errors and child
 * processes come from test/support.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { RunConfigInput } from '../../src/config/schema.ts';
import type { NamedTensor } from '../../src/io/safetensors.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const KERNELS = ['reference', 'wasm'] as const;
export type KernelKind = (typeof KERNELS)[number];

/** 240 training and 60 test rows of a 3-arm spiral; a 2-16-3 net; 2 epochs of 8 steps (the last 16 rows). */
export function spiralConfig(
  overrides: {
    kernels?: KernelKind;
    workers?: number;
    chunks?: number;
    seed?: number;
    batchSize?: number;
    epochs?: number;
  } = {},
): RunConfigInput {
  return {
    name: 'spiral-test',
    seed: overrides.seed ?? 7,
    data: { source: 'synthetic', kind: 'spiral', n: 300 },
    model: { layers: [{ type: 'affine', units: 16 }, { type: 'relu' }, { type: 'affine', units: 3 }] },
    train: {
      epochs: overrides.epochs ?? 2,
      batchSize: overrides.batchSize ?? 32,
      optimizer: { type: 'momentum', learningRate: 0.1 },
    },
    parallel: {
      workers: overrides.workers ?? 2,
      chunks: overrides.chunks ?? 4,
      kernels: overrides.kernels ?? 'reference',
    },
  };
}

/**
 * 500 training and 100 test digits; 784-64-10 with batch 100 cut into 8 chunks, so a chunk is heavy
 * enough (tens of µs to ms) that the workers really take chunks instead of the coordinator doing all.
 */
export function mnistConfig(
  overrides: { kernels?: KernelKind; workers?: number; chunks?: number; epochs?: number; units?: number } = {},
): RunConfigInput {
  return {
    name: 'mnist-test',
    seed: 3,
    data: { source: 'mnist', train: 500, test: 100 },
    model: {
      layers: [{ type: 'affine', units: overrides.units ?? 64 }, { type: 'relu' }, { type: 'affine', units: 10 }],
    },
    train: { epochs: overrides.epochs ?? 2, batchSize: 100, optimizer: { type: 'sgd', learningRate: 0.1 } },
    parallel: {
      workers: overrides.workers ?? 2,
      chunks: overrides.chunks ?? 8,
      kernels: overrides.kernels ?? 'reference',
    },
  };
}

/** All tensors' bytes, in name order, as one Buffer: equal Buffers mean bitwise-equal weights. */
export function weightBytes(weights: Record<string, NamedTensor>): Buffer {
  return Buffer.concat(
    Object.keys(weights)
      .sort()
      .map((name) => {
        const data = weights[name].data;
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      }),
  );
}

export function digest(weights: Record<string, NamedTensor>): string {
  return createHash('sha256').update(weightBytes(weights)).digest('hex');
}

/** Asserts two weight sets have the same names, shapes and bytes; names the first differing tensor. */
export function assertSameWeights(
  actual: Record<string, NamedTensor>,
  expected: Record<string, NamedTensor>,
  what: string,
): void {
  assert.equal(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: tensor names`);
  for (const name of Object.keys(expected)) {
    assert.equal(actual[name].shape, expected[name].shape, `${what}: shape of ${name}`);
    const a = Buffer.from(actual[name].data.buffer, actual[name].data.byteOffset, actual[name].data.byteLength);
    const b = Buffer.from(expected[name].data.buffer, expected[name].data.byteOffset, expected[name].data.byteLength);
    if (!a.equals(b)) {
      const i = actual[name].data.findIndex((v, k) => !Object.is(v, expected[name].data[k]));
      assert.unreachable(
        `${what}: ${name} differs first at [${i}]: ${actual[name].data[i]} vs ${expected[name].data[i]}`,
      );
    }
  }
}

/** Largest |a − b| over every tensor. */
export function maxAbsDiff(a: Record<string, NamedTensor>, b: Record<string, NamedTensor>): number {
  let max = 0;
  for (const name of Object.keys(a)) {
    const x = a[name].data;
    const y = b[name].data;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  }
  return max;
}

/** Rejects if `promise` has not settled after `ms`: a hang fails the test instead of the suite. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s (hang?)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export { tempDir } from '../support/temp.ts';
export { userErrorOf } from '../support/errors.ts';
export { runNode } from '../support/cli.ts';
