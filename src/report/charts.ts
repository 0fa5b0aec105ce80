import type { TopLevelSpec } from 'vega-lite';
import type { Confusion } from './confusion.ts';
import { chartTitle, seriesNames, type ChartGroup, type SeriesPoint } from './series.ts';

/**
 * The report's charts as vega-lite specs (rendered to SVG by render-svg.ts). Data is inlined in
 * each spec, so nothing is loaded when the page is viewed.
 */

/** Every line chart has the same outer size (axes and legend included), so the page lays them out in even rows. */
const WIDTH = 560;
const HEIGHT = 290;
const FIT = { type: 'fit' as const, contains: 'padding' as const };
const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 14, anchor: 'start' as const, frame: 'bounds' as const, offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, labelLimit: 220 },
};

function epochAxis(points: readonly SeriesPoint[]) {
  const last = Math.max(1, ...points.map((p) => p.epoch));
  return {
    field: 'epoch',
    type: 'quantitative' as const,
    title: 'epoch',
    // Whole epochs only; a one-epoch run gets its point in the middle instead of a collapsed axis.
    scale: { domain: last > 1 ? [1, last] : [0.5, 1.5], nice: false, padding: 6 },
    axis: { tickMinStep: 1, format: 'd' },
  };
}

/** One run: one line (with a point per epoch) per field of the group, coloured by field. */
export function runLineChart(group: ChartGroup, points: readonly SeriesPoint[]): TopLevelSpec {
  const names = [...seriesNames(group).values()];
  return {
    title: chartTitle(group),
    width: WIDTH,
    height: HEIGHT,
    autosize: FIT,
    config: CONFIG,
    data: { values: points as SeriesPoint[] },
    mark: { type: 'line', point: { size: 36 }, strokeWidth: 2 },
    encoding: {
      x: epochAxis(points),
      y: valueAxis(group, points),
      // One series needs no legend: the chart's title names it.
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: names },
        legend: names.length > 1 ? {} : null,
      },
    },
  };
}

/**
 * Several runs on the same axes: colour tells the runs apart; when a chart has several series
 * (train and test), solid and dashed lines tell the series apart.
 */
export function compareLineChart(group: ChartGroup, points: readonly SeriesPoint[], runs: string[]): TopLevelSpec {
  const names = [...seriesNames(group).values()];
  const bySeries =
    names.length > 1
      ? {
          strokeDash: {
            field: 'series',
            type: 'nominal' as const,
            title: 'series',
            scale: { domain: names },
            // Drawn as line samples, so the legend shows the dash itself.
            legend: {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
              symbolSize: 400,
              encode: { symbols: { update: { stroke: { value: '#444' } } } },
            },
          },
        }
      : {};
  return {
    title: chartTitle(group),
    width: WIDTH,
    height: HEIGHT,
    autosize: FIT,
    config: CONFIG,
    data: { values: points as SeriesPoint[] },
    mark: { type: 'line', point: { size: 36, filled: true }, strokeWidth: 2 },
    encoding: {
      x: epochAxis(points),
      y: valueAxis(group, points),
      color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runs } },
      ...bySeries,
    },
  };
}

function valueAxis(group: ChartGroup, points: readonly SeriesPoint[]) {
  if (!group.log)
    return {
      field: 'value',
      type: 'quantitative' as const,
      title: group.yTitle,
      scale: { zero: group.id === 'throughput' },
    };
  return {
    field: 'value',
    type: 'quantitative' as const,
    title: group.yTitle,
    scale: { type: 'log' as const },
    axis: { values: decades(points), format: '~g' },
  };
}

/** Ticks at the powers of ten a log axis spans (its 2…9 ticks crowd the labels); none below one decade. */
function decades(points: readonly SeriesPoint[]): number[] | undefined {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && v > 0);
  const low = Math.ceil(Math.log10(Math.min(...values)) - 1e-9);
  const high = Math.floor(Math.log10(Math.max(...values)) + 1e-9);
  if (!(high > low)) return undefined;
  return Array.from({ length: high - low + 1 }, (_, i) => Number(`1e${low + i}`));
}

/** Rows: true class; columns: predicted class; darker is more samples; counts written in the cells when they fit. */
export function confusionHeatmap(confusion: Confusion): TopLevelSpec {
  const { classes, matrix } = confusion;
  const cells = matrix.flatMap((row, i) =>
    row.map((count, j) => ({ truth: classes[i], predicted: classes[j], count })),
  );
  const max = Math.max(1, ...cells.map((c) => c.count));
  const step = classes.length <= 12 ? 34 : Math.max(8, Math.floor(420 / classes.length));
  // Column labels wider than a cell (~6.5 px a character at 11 px) are tilted so they do not overlap.
  const tilt = Math.max(...classes.map((c) => c.length)) * 6.5 > step - 4 ? -45 : 0;
  const axis = (field: string, title: string, labelAngle: number) => ({
    field,
    type: 'nominal' as const,
    title,
    sort: classes,
    axis: { labelAngle, labelLimit: 120 },
  });
  const text =
    step >= 26
      ? [
          {
            mark: { type: 'text' as const, fontSize: 11 },
            encoding: {
              text: { field: 'count', type: 'quantitative' as const },
              color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: '#222' },
            },
          },
        ]
      : [];
  return {
    title: 'Confusion matrix (test split)',
    width: { step },
    height: { step },
    config: CONFIG,
    data: { values: cells },
    encoding: { x: axis('predicted', 'predicted class', tilt), y: axis('truth', 'true class', 0) },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          // From 0, so that an empty cell is white and a light cell means few samples, not the fewest.
          color: { field: 'count', type: 'quantitative', title: 'samples', scale: { scheme: 'blues', zero: true } },
        },
      },
      ...text,
    ],
  };
}
