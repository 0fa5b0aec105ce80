import { createHash } from 'node:crypto';
import { SPEED_ONLY_PARALLEL_KEYS, type RunConfig, type SpeedOnlyParallelKey } from '../config/schema.ts';
import { canonicalJson } from './paths.ts';

/**
 * A trial's id: the first 12 hex digits of the SHA-256 of its resolved config, less what cannot
 * change its result: the name and output directory (which the sweep derives from the id) and the
 * parallel settings of speed and memory only (SPEED_ONLY_PARALLEL_KEYS: worker threads, step
 * timeout, input storage; any of them gives the same weights). The same trial has the same id in every sweep, on every
 * machine, so a re-run finds it.
 */
export function trialId(config: RunConfig): string {
  return createHash('sha256')
    .update(canonicalJson(trialIdentity(config)))
    .digest('hex')
    .slice(0, 12);
}

export function trialIdentity(config: RunConfig): Omit<RunConfig, 'name' | 'output' | 'parallel'> & {
  parallel: Omit<RunConfig['parallel'], SpeedOnlyParallelKey>;
} {
  const { name: _name, output: _output, parallel, ...rest } = config;
  const arithmetic: Partial<RunConfig['parallel']> = { ...parallel };
  for (const key of SPEED_ONLY_PARALLEL_KEYS) delete arithmetic[key];
  return { ...rest, parallel: arithmetic as Omit<RunConfig['parallel'], SpeedOnlyParallelKey> };
}
