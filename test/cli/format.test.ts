import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCompact, formatCount, formatDuration, formatNumber } from '../../src/cli/format.ts';

const s = suite('numbers for people');

s('formatNumber: ~5 significant digits, 4 decimals below 10', () => {
  assert.is(formatNumber(0.9833333333333333), '0.9833');
  assert.is(formatNumber(2.302585092994046), '2.3026');
  assert.is(formatNumber(12.3456789), '12.346');
  assert.is(formatNumber(123.456789), '123.46');
  assert.is(formatNumber(1234.56789), '1234.6');
  assert.is(formatNumber(123456.789), '123457');
  assert.is(formatNumber(0.5), '0.5000');
  assert.is(formatNumber(1), '1.0000');
  assert.is(formatNumber(0.001), '0.0010');
});

s('formatNumber: exponent form for huge and tiny values, either sign', () => {
  assert.is(formatNumber(1.8e60), '1.80e+60');
  assert.is(formatNumber(-1.8e60), '-1.80e+60');
  assert.is(formatNumber(1e6), '1.00e+6');
  assert.is(formatNumber(999999.4), '999999');
  assert.is(formatNumber(2.5e-5), '2.50e-5');
  assert.is(formatNumber(0.000999), '9.99e-4');
  assert.is(formatNumber(Number.MIN_VALUE), '4.94e-324');
  assert.is(formatNumber(Number.MAX_VALUE), '1.80e+308');
});

s('formatNumber: zero, negative, NaN and the infinities', () => {
  assert.is(formatNumber(0), '0');
  assert.is(formatNumber(-0), '0');
  assert.is(formatNumber(-0.25), '-0.2500');
  assert.is(formatNumber(-42.123456), '-42.123');
  assert.is(formatNumber(NaN), 'NaN');
  assert.is(formatNumber(Infinity), 'Infinity');
  assert.is(formatNumber(-Infinity), '-Infinity');
});

s('formatCount: rounded, with thousands separators', () => {
  assert.is(formatCount(461234.4), '461,234');
  assert.is(formatCount(999.5), '1,000');
  assert.is(formatCount(12), '12');
  assert.is(formatCount(0), '0');
  assert.is(formatCount(-0.2), '0', 'no "-0"');
  assert.is(formatCount(-1234567), '-1,234,567');
  assert.is(formatCount(2.5e12), '2.50e+12');
  assert.is(formatCount(NaN), 'NaN');
  assert.is(formatCount(Infinity), 'Infinity');
});

s('formatCompact: k, M, G with 3 significant digits', () => {
  assert.is(formatCompact(950), '950');
  assert.is(formatCompact(12345), '12.3k');
  assert.is(formatCompact(461000), '461k');
  assert.is(formatCompact(999_999), '1.00M');
  assert.is(formatCompact(1_234_567), '1.23M');
  assert.is(formatCompact(4.56e9), '4.56G');
  assert.is(formatCompact(-12345), '-12.3k');
  assert.is(formatCompact(0), '0');
  assert.is(formatCompact(NaN), 'NaN');
});

s('formatDuration: seconds, minutes, hours; nonsense as ?', () => {
  assert.is(formatDuration(0), '0.00 s');
  assert.is(formatDuration(0.384), '0.38 s');
  assert.is(formatDuration(12.34), '12.3 s');
  assert.is(formatDuration(245), '4 min 05 s');
  assert.is(formatDuration(3599.6), '1 h 00 min', 'rounds up into the next unit');
  assert.is(formatDuration(7380), '2 h 03 min');
  assert.is(formatDuration(-1), '?');
  assert.is(formatDuration(NaN), '?');
  assert.is(formatDuration(Infinity), '?');
});

s.run();
