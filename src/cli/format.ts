/**
 * Numbers for people: every number the terminal shows goes through one of these, so a metric reads
 * `0.9833` (not `0.9833333333333333`), a huge or tiny value `1.80e+60`, a speed `461,000 samples/s`.
 */

/** Values at or beyond these (in magnitude) are written in exponent form. */
const LARGE = 1e6;
const SMALL = 1e-3;

/**
 * A measured value (loss, accuracy, learning rate) to ~5 significant digits: 4 decimals below 10,
 * fewer above (`2.3026`, `12.346`, `1234.6`, `123457`); exponent form beyond 1e6 or below 1e-3
 * (`1.80e+60`, `2.50e-5`); `0` for zero (also -0); `NaN`, `Infinity`, `-Infinity` as such.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= LARGE || magnitude < SMALL) return x.toExponential(2);
  const decimals = Math.max(0, 4 - Math.max(0, Math.floor(Math.log10(magnitude))));
  // Rounding up into the next decade (9.99996 → "10.0000") gives one digit too many: harmless.
  return x.toFixed(decimals);
}

/** A count or a rate, rounded, with thousands separators: `461,234`; beyond a billion `1.23e+9`. */
export function formatCount(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (Math.abs(x) >= 1e9) return x.toExponential(2);
  const rounded = Math.round(x);
  return (rounded === 0 ? 0 : rounded).toLocaleString('en-US');
}

/** A compact count for tight spaces: `950`, `12.3k`, `461k`, `1.23M`, `4.56G`. */
export function formatCompact(x: number): string {
  if (!Number.isFinite(x)) return formatCount(x);
  const magnitude = Math.abs(x);
  for (const [unit, size] of [
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (magnitude >= size * 0.9995) {
      const scaled = x / size;
      return `${Math.abs(scaled) >= 99.95 ? scaled.toFixed(0) : scaled.toPrecision(3)}${unit}`;
    }
  }
  return formatCount(x);
}

/**
 * A duration in seconds: `0.38 s`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; NaN and negative
 * durations (a clock going backwards) as `?`.
 */
export function formatDuration(seconds: number): string {
  if (!(seconds >= 0) || seconds === Infinity) return '?';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
