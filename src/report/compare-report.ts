import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UserError } from '../errors.ts';
import { compareLineChart } from './charts.ts';
import { configDifferences } from './config-diff.ts';
import { escapeHtml, figure, formatNumber, formatValue, page, section, table } from './html.ts';
import { renderSvg } from './render-svg.ts';
import { readRunFiles, type RunFiles } from './run-files.ts';
import { chartGroups, drawnPoints, fieldLabel, seriesPoints, type ChartGroup } from './series.ts';
import { writeFileAtomic } from './write-atomic.ts';

/**
 * The comparison of several runs: every metric of every run on shared axes (one colour per run),
 * a table of final metrics with the best run of each column in bold, and the config fields in which
 * the runs differ. Returns the path written.
 */
export async function writeComparison(runDirs: readonly string[], out: string): Promise<string> {
  const runs = runDirs.map((dir, i) => readRunFiles(dir, runLabels(runDirs)[i]));
  writeFileAtomic(out, await buildComparison(runs, dirname(out)));
  return out;
}

/** Each run is named by its directory's name; where two share a name, by the path as given. */
export function runLabels(runDirs: readonly string[]): string[] {
  const names = runDirs.map((dir) => basename(dir.replace(/[\\/]+$/, '')) || dir);
  return names.map((name, i) => (names.indexOf(name) === names.lastIndexOf(name) ? name : runDirs[i]));
}

export async function buildComparison(runs: readonly RunFiles[], outDir = '.'): Promise<string> {
  const labels = runs.map((r) => r.label);
  if (new Set(labels).size !== labels.length)
    throw new UserError(
      `✖ the same run directory is given twice → at ${labels.find((l, i) => labels.indexOf(l) !== i)}`,
    );
  const groups = chartGroups(runs.flatMap((r) => r.metrics));
  const sections = [
    section('curves', 'Training curves', await curvesHtml(runs, groups)),
    section('final', 'Final metrics', finalTable(runs, groups, outDir)),
    section('differences', 'Config differences', differencesHtml(runs)),
  ];
  const subtitle = `${runs.length} runs: ${labels.map(escapeHtml).join(', ')}`;
  return page('shardprop: comparison of runs', subtitle, sections.join('\n'));
}

async function curvesHtml(runs: readonly RunFiles[], groups: readonly ChartGroup[]): Promise<string> {
  if (groups.length === 0) return '<p class="note">None of these runs has finished an epoch.</p>';
  const labels = runs.map((r) => r.label);
  const figures = await Promise.all(
    groups.map(async (group) => {
      const points = runs.flatMap((run) => seriesPoints(run.metrics, group, run.label));
      const svg = await renderSvg(compareLineChart(group, points, labels), `chart-${group.id}`);
      const lines = new Set(points.map((p) => `${p.run}\u0000${p.series}`)).size;
      return figure(group.id, svg, {
        runs: new Set(points.map((p) => p.run)).size,
        series: lines,
        points: drawnPoints(points).length,
      });
    }),
  );
  return `<div class="charts">${figures.join('')}</div>`;
}

/** One row per run: its last epoch's value of every plotted field; the best value of a column is bold. */
function finalTable(runs: readonly RunFiles[], groups: readonly ChartGroup[], outDir: string): string {
  const columns = groups.flatMap((group) =>
    group.fields.map((field) => ({
      field,
      title: fieldLabel(group, field),
      better: group.better,
    })),
  );
  const finals = runs.map((run) => run.metrics[run.metrics.length - 1] ?? {});
  const best = columns.map(({ field, better }) => {
    const values = finals.map((f) => f[field]).filter((v): v is number => typeof v === 'number');
    return better && values.length > 1 ? (better === 'min' ? Math.min(...values) : Math.max(...values)) : null;
  });
  const rows = runs.map((run, r) => [
    runLink(run, outDir),
    formatNumber(run.metrics.length),
    ...columns.map(({ field }, c) => {
      const value = finals[r][field];
      if (typeof value !== 'number') return '—';
      return value === best[c] ? `<span class="best">${formatNumber(value)}</span>` : formatNumber(value);
    }),
    formatValue(run.summary?.seconds),
    formatValue(run.summary?.parameters),
  ]);
  const head = ['run', 'epochs', ...columns.map((c) => escapeHtml(c.title)), 'wall time (s)', 'parameters'];
  return table(head, rows, 'numbers');
}

/** The run's name, linked to its own report when it has one (a relative link: the files move together). */
function runLink(run: RunFiles, outDir: string): string {
  const report = join(run.dir, 'report.html');
  if (!existsSync(report)) return escapeHtml(run.label);
  const href = relative(outDir, report).split('\\').join('/');
  return `<a href="${escapeHtml(encodeURI(href))}">${escapeHtml(run.label)}</a>`;
}

function differencesHtml(runs: readonly RunFiles[]): string {
  const differences = configDifferences(runs.map((r) => r.config));
  if (differences.length === 0) return '<p class="note">The resolved configs are identical (output.dir aside).</p>';
  const rows = differences.map((d) => [
    `<code>${escapeHtml(d.path)}</code>`,
    ...d.values.map((v) => escapeHtml(formatValue(v))),
  ]);
  return table(['field', ...runs.map((r) => escapeHtml(r.label))], rows, 'differences');
}
