import type { MetricRow } from './run-files.ts';

/**
 * Which metrics.jsonl fields go on which chart. Fields are grouped by what they measure so that
 * series sharing a unit share axes (train and test loss together; accuracies together). A field
 * no rule knows still gets a chart of its own: the metrics may grow, and a new number should be
 * seen rather than dropped.
 */
export interface ChartGroup {
  readonly id: string;
  readonly title: string;
  readonly yTitle: string;
  /** The fields plotted, each one series, in legend order. */
  readonly fields: readonly string[];
  /** Log scale: learning rates span decades. */
  readonly log?: boolean;
  /** Whether lower or higher values are better (marks the best epoch and the best run); unset: neither. */
  readonly better?: 'min' | 'max';
}

interface Rule extends Omit<ChartGroup, 'fields'> {
  readonly match: RegExp;
}

const RULES: readonly Rule[] = [
  { id: 'loss', title: 'Loss per epoch', yTitle: 'loss', match: /^(train|test|val|validation)?loss$/i, better: 'min' },
  {
    id: 'accuracy',
    title: 'Accuracy per epoch',
    yTitle: 'accuracy',
    match: /^(train|test|val|validation)?accuracy$/i,
    better: 'max',
  },
  {
    id: 'error',
    title: 'Regression error per epoch',
    yTitle: 'error',
    match: /^(train|test|val|validation)?(mse|rmse|mae)$/i,
    better: 'min',
  },
  { id: 'r2', title: 'R² per epoch', yTitle: 'R²', match: /^(train|test|val|validation)?r2$/i, better: 'max' },
  {
    id: 'throughput',
    title: 'Training speed per epoch',
    yTitle: 'samples/s',
    match: /^samplesPerSec$/,
    better: 'max',
  },
  { id: 'learningRate', title: 'Learning rate per epoch', yTitle: 'learning rate', match: /^learningRate$/, log: true },
];

/** Not plotted: the x axis, and bookkeeping that is shown in the summary instead. */
const NOT_PLOTTED = new Set(['epoch', 'workers', 'seconds', 'step', 'steps']);

/** Legend names of the known fields; any other field is named as written. */
const SERIES_NAMES: Record<string, string> = {
  loss: 'train',
  trainLoss: 'train',
  testLoss: 'test',
  valLoss: 'validation',
  trainAccuracy: 'train',
  testAccuracy: 'test',
  valAccuracy: 'validation',
  validationLoss: 'validation',
  validationAccuracy: 'validation',
  samplesPerSec: 'samples/s',
  learningRate: 'learning rate',
};

/** Legend name of each field of a chart; two fields that would share a name keep their field names. */
export function seriesNames(group: ChartGroup): Map<string, string> {
  const names = group.fields.map((field) => SERIES_NAMES[field] ?? field);
  return new Map(
    group.fields.map((field, i) => [field, names.indexOf(names[i]) === names.lastIndexOf(names[i]) ? names[i] : field]),
  );
}

const SPLITS = new Set(['train', 'validation', 'test']);

/** How a table names one plotted field: `test loss`, `train accuracy`, `samples/s`, `mae`. */
export function fieldLabel(group: ChartGroup, field: string): string {
  const name = seriesNames(group).get(field)!;
  if (SPLITS.has(name)) return `${name} ${group.yTitle}`;
  return group.fields.length > 1 ? name : group.yTitle;
}

/** A chart's title; a chart of one split's series says which (it has no legend to say it). */
export function chartTitle(group: ChartGroup): string {
  const only = group.fields.length === 1 ? seriesNames(group).get(group.fields[0])! : '';
  return SPLITS.has(only) ? `${group.title} (${only})` : group.title;
}

/** The charts a set of metric rows calls for: a field is plotted when at least one row has a number for it. */
export function chartGroups(rows: readonly MetricRow[]): ChartGroup[] {
  const fields: string[] = [];
  for (const row of rows)
    for (const [key, value] of Object.entries(row))
      if (typeof value === 'number' && !NOT_PLOTTED.has(key) && !fields.includes(key)) fields.push(key);

  const groups: ChartGroup[] = RULES.map(({ match, ...group }) => ({
    ...group,
    fields: fields.filter((f) => match.test(f)).sort(bySplit),
  })).filter((group) => group.fields.length > 0);
  const known = new Set(groups.flatMap((g) => g.fields));
  for (const field of fields.filter((f) => !known.has(f)).sort())
    groups.push({ id: `field-${field}`, title: `${field} per epoch`, yTitle: field, fields: [field] });
  return groups;
}

/** train, then validation, then test: the order a reader expects in a legend. */
function bySplit(a: string, b: string): number {
  const rank = (f: string) => (/^test/i.test(f) ? 2 : /^val/i.test(f) ? 1 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * One point per (epoch, field): the long form a vega-lite line chart reads. An epoch without a
 * number for a field the run does report (null, e.g. no test pass that epoch) becomes a null
 * point, which breaks the line there instead of drawing a value that was never measured.
 */
export interface SeriesPoint {
  epoch: number;
  value: number | null;
  series: string;
  run?: string;
}

export function seriesPoints(rows: readonly MetricRow[], group: ChartGroup, run?: string): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  const names = seriesNames(group);
  // A log axis cannot show 0 or negative numbers: those epochs are gaps rather than points drawn wrong.
  const plottable = (value: unknown): value is number => typeof value === 'number' && !(group.log && value <= 0);
  for (const field of group.fields) {
    if (!rows.some((row) => plottable(row[field]))) continue;
    for (const row of rows) {
      const value = plottable(row[field]) ? row[field] : null;
      points.push({ epoch: row.epoch as number, value, series: names.get(field)!, ...(run ? { run } : {}) });
    }
  }
  return points;
}

/** The points that hold a number (and so are drawn). */
export function drawnPoints(points: readonly SeriesPoint[]): SeriesPoint[] {
  return points.filter((p) => p.value !== null);
}
