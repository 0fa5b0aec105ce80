import { createHash } from 'node:crypto';
import type { RunConfig } from '../config/schema.ts';
import { canonicalJson } from './paths.ts';

/**
 * A trial's id: the first 12 hex digits of the SHA-256 of its resolved config, less what cannot
 * change its result: the name and output directory (which the sweep derives from the id), the
 * number of worker threads, the step timeout and the input storage (speed and memory only: any
 * of them gives the same weights). The same trial has the same id in every sweep, on every
 * machine, so a re-run finds it.
 */
export function trialId(config: RunConfig): string {
  return createHash('sha256')
    .update(canonicalJson(trialIdentity(config)))
    .digest('hex')
    .slice(0, 12);
}

export function trialIdentity(config: RunConfig): Omit<RunConfig, 'name' | 'output' | 'parallel'> & {
  parallel: Omit<RunConfig['parallel'], 'workers' | 'stepTimeoutSeconds' | 'inputStorage'>;
} {
  const { name: _name, output: _output, parallel, ...rest } = config;
  const { workers: _workers, stepTimeoutSeconds: _timeout, inputStorage: _storage, ...arithmetic } = parallel;
  return { ...rest, parallel: arithmetic };
}
