import type { TensorReport } from './check.ts';

/** The per-tensor report as an aligned text table, then a verdict line against `tolerance`. */
export function formatReport(reports: readonly TensorReport[], tolerance: number): string {
  const rows = reports.map((r) => [
    r.name,
    String(r.size),
    r.maxRelativeError.toExponential(2),
    r.worst.index < 0
      ? '-'
      : `${r.worst.index}: ${r.worst.analytic.toPrecision(7)} vs ${r.worst.numerical.toPrecision(7)}`,
    String(r.skipped),
    r.maxRelativeError <= tolerance ? 'ok' : 'FAIL',
  ]);
  const header = ['tensor', 'size', 'max rel error', 'worst element: backprop vs numerical', 'skipped', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const worst = Math.max(0, ...reports.map((r) => r.maxRelativeError));
  const skipped = reports.reduce((sum, r) => sum + r.skipped, 0);
  const verdict =
    worst <= tolerance
      ? `ok: max relative error ${worst.toExponential(2)} ≤ tolerance ${tolerance}`
      : `FAIL: max relative error ${worst.toExponential(2)} > tolerance ${tolerance}`;
  const note = skipped ? ` (${skipped} element${skipped > 1 ? 's' : ''} skipped: every step crossed a ReLU kink)` : '';
  return [line(header), ...rows.map(line), verdict + note].join('\n') + '\n';
}

/** The largest error over all tensors: what the exit code is decided on. */
export function worstError(reports: readonly TensorReport[]): number {
  return Math.max(0, ...reports.map((r) => r.maxRelativeError));
}
