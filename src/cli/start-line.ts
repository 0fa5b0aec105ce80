/**
 * The one line a run starts with: what is trained, on what, how long, on how many threads and why.
 * The full resolved config is in the run directory (config.json), not on the screen.
 */
import type { RunConfig } from '../config/schema.ts';
import type { TrainingState } from '../train/checkpoint.ts';
import type { StartInfo } from '../train/train.ts';
import type { Field } from './fit.ts';
import { formatCount } from './format.ts';
import { plural } from './words.ts';

/**
 * `784-50-10 relu`: the input width and the output width of every affine layer (or any layer that
 * changes the width), then the kinds of layer besides affine. `widths`: the input's, then each layer's.
 */
export function describeModel(config: RunConfig, widths: readonly number[]): string {
  const changes = [widths[0]];
  config.model.layers.forEach((layer, i) => {
    if (layer.type === 'affine' || widths[i + 1] !== widths[i]) changes.push(widths[i + 1]);
  });
  const kinds: string[] = [
    ...new Set(config.model.layers.map((layer) => layer.type).filter((type) => type !== 'affine')),
  ];
  if (config.model.loss !== 'softmax-cross-entropy') kinds.push(config.model.loss);
  return [changes.join('-'), ...kinds].join(' ');
}

/** The start line's fields, most important first kept (see fit.ts). */
export function startFields(config: RunConfig, run: StartInfo, resumedFrom: TrainingState | null): Field[] {
  const { workers } = run;
  const epochs = plural(config.train.epochs, 'epoch');
  const test = run.testRows > 0 ? ` / ${formatCount(run.testRows)} test` : ', no test split';
  return [
    { text: `${config.name}: ${describeModel(config, run.widths)}`, keep: 9 },
    { text: `${formatCount(run.parameters)} parameters`, keep: 5 },
    { text: `${formatCount(run.trainRows)} train${test}`, short: `${formatCount(run.trainRows)} rows`, keep: 6 },
    { text: `batch ${config.train.batchSize} × ${epochs}`, short: epochs, keep: 7 },
    {
      text: `${plural(workers.count, 'worker')} (${workers.why})`,
      short: `${plural(workers.count, 'worker')}${workers.auto ? ' (auto)' : ''}`,
      keep: 4,
    },
    ...(resumedFrom ? [resuming(resumedFrom, config.train.epochs)] : []),
  ];
}

function resuming(from: TrainingState, epochs: number): Field {
  if (from.epoch > epochs) return { text: `resuming: all ${plural(epochs, 'epoch')} already done`, keep: 8 };
  return {
    text: `resuming at epoch ${from.epoch}, step ${from.stepInEpoch}`,
    short: `resuming at epoch ${from.epoch}`,
    keep: 8,
  };
}

/** The start line, whole (for output that is not a terminal). */
export function startLine(config: RunConfig, run: StartInfo, resumedFrom: TrainingState | null): string {
  return startFields(config, run, resumedFrom)
    .map((field) => field.text)
    .join(' · ');
}
