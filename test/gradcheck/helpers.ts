import * as assert from 'uvu/assert';
import {
  gradcheck,
  type GradcheckOptions,
  type GradcheckSubject,
  type TensorReport,
} from '../../src/gradcheck/check.ts';
import { referenceKernels } from '../../src/kernels/reference.ts';
import type { LayerContext } from '../../src/layers/layer.ts';
import { createRng } from '../../src/random.ts';
import { tensor, type Allocator, type Tensor } from '../../src/tensor.ts';

export const TOLERANCE = 1e-3;

export const contextOf = (alloc: Allocator): LayerContext => ({ kernels: referenceKernels, alloc });

/** A seeded tensor of N(0, 1) values. */
export function randomTensor(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  return tensor(
    shape,
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
  );
}

export function worst(reports: readonly TensorReport[]): number {
  return Math.max(...reports.map((r) => r.maxRelativeError));
}

/** Runs the check and asserts every tensor is within tolerance, nothing skipped; returns the worst error. */
export function assertPasses(subject: GradcheckSubject, options?: GradcheckOptions): number {
  const reports = gradcheck(subject, options);
  for (const r of reports) {
    assert.ok(r.maxRelativeError < TOLERANCE, `${r.name}: ${r.maxRelativeError} (${JSON.stringify(r.worst)})`);
    assert.is(r.skipped, 0, `${r.name}: ${r.skipped} skipped`);
  }
  return worst(reports);
}
