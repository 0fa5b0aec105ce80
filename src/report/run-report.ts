import { join } from 'node:path';
import { confusionHeatmap, runLineChart } from './charts.ts';
import { classRecall, type Confusion } from './confusion.ts';
import { escapeHtml, figure, formatNumber, formatValue, page, section, table } from './html.ts';
import { describeNetwork } from './network.ts';
import { networkHtml } from './network-html.ts';
import { renderSvg } from './render-svg.ts';
import { readRunFiles, type MetricRow, type RunFiles } from './run-files.ts';
import { chartGroups, drawnPoints, fieldLabel, seriesPoints, type ChartGroup } from './series.ts';
import { summaryRows } from './summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

/**
 * Writes `report.html` into a run directory and returns its path: the report of one run, built
 * from the files the run wrote. Called by the trainer at the end of a run and by
 * `npm run report -- runs/x`. Throws a UserError (nothing written) when the directory is not a run
 * or one of its files is malformed.
 */
export async function writeRunReport(runDir: string, out = join(runDir, 'report.html')): Promise<string> {
  const html = await buildRunReport(readRunFiles(runDir));
  writeFileAtomic(out, html);
  return out;
}

export async function buildRunReport(run: RunFiles): Promise<string> {
  const name = typeof run.config.name === 'string' ? run.config.name : run.label;
  const sections = [
    section('curves', 'Training curves', await curvesHtml(run.metrics)),
    section('final', 'Final and best epoch', finalTable(run.metrics)),
  ];
  if (run.confusion) sections.push(section('confusion', 'Confusion matrix', await confusionHtml(run.confusion)));
  sections.push(
    section('network', 'Network', networkHtml(describeNetwork(run.config, run.tensors, run.model))),
    section('summary', 'Machine and timing', summaryHtml(run.summary)),
    section(
      'config',
      'Resolved config',
      `<pre class="config">${escapeHtml(JSON.stringify(run.config, null, 2))}</pre>`,
    ),
  );
  return page(`shardprop run: ${name}`, escapeHtml(subtitle(run)), sections.join('\n'));
}

function subtitle(run: RunFiles): string {
  const last = run.metrics[run.metrics.length - 1];
  const parts = [run.dir, `${run.metrics.length} epoch${run.metrics.length === 1 ? '' : 's'}`];
  if (typeof last?.testAccuracy === 'number') parts.push(`test accuracy ${formatNumber(last.testAccuracy)}`);
  if (typeof last?.testLoss === 'number') parts.push(`test loss ${formatNumber(last.testLoss)}`);
  return parts.join(' · ');
}

async function curvesHtml(rows: readonly MetricRow[]): Promise<string> {
  const groups = chartGroups(rows);
  if (groups.length === 0) return '<p class="note">No epoch has finished: metrics.jsonl holds no line yet.</p>';
  const figures = await Promise.all(
    groups.map(async (group) => {
      const points = seriesPoints(rows, group);
      const svg = await renderSvg(runLineChart(group, points), `chart-${group.id}`);
      return figure(group.id, svg, {
        series: new Set(points.map((p) => p.series)).size,
        points: drawnPoints(points).length,
      });
    }),
  );
  return `<div class="charts">${figures.join('')}</div>`;
}

/** Per plotted field: its value at the last epoch and, where lower or higher is better, the best epoch. */
function finalTable(rows: readonly MetricRow[]): string {
  if (rows.length === 0) return '<p class="note">No epoch yet.</p>';
  const last = rows[rows.length - 1];
  const body = chartGroups(rows).flatMap((group) =>
    group.fields.map((field) => {
      const best = bestEpoch(rows, field, group);
      return [
        escapeHtml(fieldLabel(group, field)),
        typeof last[field] === 'number' ? formatNumber(last[field]) : '—',
        best ? `${formatNumber(best.value)} <span class="note">(epoch ${best.epoch})</span>` : '—',
      ];
    }),
  );
  return table(['metric', `final (epoch ${last.epoch})`, 'best'], body, 'numbers');
}

function bestEpoch(rows: readonly MetricRow[], field: string, group: ChartGroup) {
  if (!group.better) return null;
  let best: { epoch: number; value: number } | null = null;
  for (const row of rows) {
    const value = row[field];
    if (typeof value !== 'number') continue;
    if (!best || (group.better === 'min' ? value < best.value : value > best.value))
      best = { epoch: row.epoch as number, value };
  }
  return best;
}

async function confusionHtml(confusion: Confusion): Promise<string> {
  const svg = await renderSvg(confusionHeatmap(confusion), 'chart-confusion');
  const cells = confusion.classes.length ** 2;
  const heatmap = figure('confusion', svg, { classes: confusion.classes.length, cells });
  const recall = classRecall(confusion).map((c) => [
    escapeHtml(c.name),
    formatNumber(c.count),
    c.recall === null ? '—' : formatNumber(c.recall),
  ]);
  return `<div class="layout">${heatmap}${table(['class', 'test samples', 'recall'], recall, 'numbers')}</div>`;
}

function summaryHtml(summary: Record<string, unknown> | null): string {
  if (!summary) return '<p class="note">No summary.json: the run did not finish.</p>';
  return table(
    ['', ''],
    summaryRows(summary).map(([label, value]) => [escapeHtml(label), escapeHtml(formatValue(value))]),
  );
}
