import { flatten } from './config-diff.ts';

/**
 * summary.json as label/value rows. Known fields get a label a reader understands and a unit;
 * any other field is listed by its dotted path, so nothing the run wrote is hidden.
 */
const LABELS: Record<string, string> = {
  name: 'run name',
  epochs: 'epochs',
  steps: 'steps',
  loss: 'final train loss',
  trainAccuracy: 'final train accuracy',
  testAccuracy: 'final test accuracy',
  seconds: 'wall time (s)',
  samplesPerSec: 'samples/s (training, mean)',
  workers: 'compute threads',
  chunks: 'chunks per batch',
  kernels: 'kernels',
  parameters: 'parameters',
  // The machine block the trainer writes (src/train/machine.ts).
  'machine.cpu': 'CPU',
  'machine.cores': 'CPU cores',
  'machine.node': 'Node.js',
  'machine.platform': 'platform',
};

export function summaryRows(summary: Record<string, unknown>): Array<[string, unknown]> {
  return [...flatten(summary)].map(([path, value]) => [LABELS[path] ?? path, value]);
}
