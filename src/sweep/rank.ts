import type { TrialResult } from './results.ts';
import type { Sweep } from './schema.ts';

/** The repeats of one point, summarised: the unit that is ranked. */
export interface RankedPoint {
  rank: number | null;
  point: Record<string, unknown>;
  /** Mean of the metric over the repeats that gave one (null if none did). */
  mean: number | null;
  /** Sample standard deviation (n − 1), null for fewer than two values. */
  std: number | null;
  values: number;
  failed: number;
  trials: TrialResult[];
}

/**
 * Groups the trials by point (their repeats) and ranks the points by the mean of the metric, best
 * first; ties keep the sweep's order. Points with no value (all repeats failed, or no such metric)
 * come last, unranked.
 */
export function rankPoints(results: readonly TrialResult[], rank: Sweep['rank']): RankedPoint[] {
  const groups = new Map<string, TrialResult[]>();
  for (const result of [...results].sort((a, b) => a.index - b.index)) {
    const key = JSON.stringify(Object.entries(result.point));
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  const points = [...groups.values()].map((trials) => summarise(trials));
  const sign = rank.direction === 'max' ? -1 : 1;
  const ranked = points
    .filter((p) => p.mean !== null)
    .sort((a, b) => sign * (a.mean! - b.mean!) || a.trials[0].index - b.trials[0].index);
  ranked.forEach((p, i) => (p.rank = i + 1));
  return [...ranked, ...points.filter((p) => p.mean === null)];
}

function summarise(trials: TrialResult[]): RankedPoint {
  const values = trials.map((t) => t.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
  const std =
    values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean!) ** 2, 0) / (values.length - 1)) : null;
  return {
    rank: null,
    point: trials[0].point,
    mean,
    std,
    values: values.length,
    failed: trials.filter((t) => t.status === 'failed').length,
    trials,
  };
}

/**
 * The ranked table for the terminal: one row per point, a column per varied path (named by its
 * last keys, as few as tell the paths apart), the metric (mean ± sd over repeats), the trial ids.
 */
export function formatRanking(points: readonly RankedPoint[], rank: Sweep['rank'], repeats: number): string {
  const paths = [...new Set(points.flatMap((p) => Object.keys(p.point)))];
  const labels = shortLabels(paths);
  const metric = `${rank.metric} (${rank.direction})`;
  const header = ['rank', ...labels, metric, repeats > 1 ? 'trials' : 'trial'];
  const rows = points.map((p) => [
    p.rank === null ? '-' : String(p.rank),
    ...paths.map((path) => (path in p.point ? formatValue(p.point[path]) : '')),
    metricCell(p, repeats),
    p.trials.map((t) => t.id).join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const failures = points.flatMap((p) =>
    p.trials.filter((t) => t.error).map((t) => `  ${t.id}: ${firstLine(t.error!)}`),
  );
  return [line(header), ...rows.map(line), ...(failures.length ? ['failed trials:', ...failures] : [])].join('\n');
}

function metricCell(p: RankedPoint, repeats: number): string {
  const failed = p.failed ? ` (${p.failed} failed)` : '';
  if (p.mean === null) return p.failed ? `failed${p.failed > 1 ? ` ×${p.failed}` : ''}` : 'n/a';
  if (repeats === 1) return formatNumber(p.mean) + failed;
  const spread = p.std === null ? '' : ` ± ${formatNumber(p.std)}`;
  return `${formatNumber(p.mean)}${spread} (n=${p.values})${failed}`;
}

/** The last key of each path, or as many last keys as it takes to tell the paths apart. */
export function shortLabels(paths: readonly string[]): string[] {
  return paths.map((path) => {
    const keys = path.split('.');
    for (let n = 1; n < keys.length; n++) {
      const label = keys.slice(-n).join('.');
      if (!paths.some((other) => other !== path && (other === label || other.endsWith('.' + label)))) return label;
    }
    return path;
  });
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6 ? value.toFixed(4) : value.toPrecision(4);
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/^✖ /, '');
}
