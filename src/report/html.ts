/**
 * HTML building blocks of the reports: escaping, number formatting for people, tables and the page
 * shell with its inline stylesheet. The page has no script and loads nothing: the
 * Content-Security-Policy forbids every fetch, so a report that tried would show it in the console.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `0.9833`, `37,451`, `1.80e-5`: four significant digits, thousands grouped, exponents only when needed. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (Number.isInteger(value) && size < 1e15) return value.toLocaleString('en-US');
  if (size !== 0 && (size < 1e-3 || size >= 1e9)) return value.toExponential(2);
  if (size >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

/** A config or summary value in a table cell: numbers formatted, absent fields as a dash, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Cells are HTML already (callers escape text); a `<th>` column first when `rowHeaders`. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, className = ''): string {
  const headCells = head.map((h) => `<th scope="col">${h}</th>`).join('');
  const bodyRows = rows.map(
    (row) =>
      `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`,
  );
  return `<table class="${className}"><thead><tr>${headCells}</tr></thead><tbody>${bodyRows.join('')}</tbody></table>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A chart as the page shows it; the data attributes say what it should contain, for tests and tools. */
export function figure(chartId: string, svg: string, attributes: Record<string, string | number>): string {
  const data = Object.entries(attributes)
    .map(([key, value]) => ` data-${key}="${escapeHtml(String(value))}"`)
    .join('');
  return `<figure class="chart" data-chart="${escapeHtml(chartId)}"${data}>${svg}</figure>`;
}

export function page(title: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="shardprop report">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="subtitle">${subtitle}</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { margin: 0; font-size: 22px; }
h2 { font-size: 17px; margin: 28px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.subtitle { margin: 4px 0 0; color: var(--muted); }
main { padding: 0 32px 40px; max-width: 1280px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 4px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-weight: 600; }
tbody th { font-weight: normal; color: var(--muted); }
td.num, table.numbers td { text-align: right; }
td .best, .best { font-weight: 700; }
.layout { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
pre.config { margin: 0; padding: 12px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  font: 12px/1.4 "DejaVu Sans Mono", Menlo, monospace; max-height: 520px; overflow: auto; }
.note { color: var(--muted); }
.network { display: flex; flex-wrap: wrap; align-items: center; gap: 0; margin: 8px 0 16px; }
.network .arrow { color: var(--muted); font-size: 20px; padding: 0 6px; }
.network .arrow small { display: block; font-size: 11px; text-align: center; }
.layer { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; background: #fff;
  border-top: 4px solid var(--kind, #8c959f); }
.layer .kind { font-weight: 700; }
.layer .shape { font: 12px "DejaVu Sans Mono", Menlo, monospace; }
.layer .params, .layer .detail { color: var(--muted); font-size: 12px; }
.layer.affine { --kind: #4c78a8; } .layer.mul, .layer.add { --kind: #72b7b2; }
.layer.relu, .layer.sigmoid, .layer.tanh { --kind: #f58518; } .layer.io { --kind: #54a24b; background: var(--panel); }
`;
