/**
 * Lines that fit the terminal: a line is made of fields, each with an importance; while the line
 * is too wide, the least important field with a short form is shortened, and when none is left the
 * least important field is dropped. A terminal wraps a line wider than itself, and a progress bar redrawn with `\r`
 * over a wrapped line leaves its first part behind on every redraw.
 */

export interface Field {
  readonly text: string;
  /** Higher: kept longer. */
  readonly keep: number;
  /** A shorter form, used before the field is dropped. */
  readonly short?: string;
}

/** The fields joined by `separator`, at most `width` characters (cut with `…` as a last resort). */
export function fitFields(fields: readonly Field[], width: number, separator = '  '): string {
  let kept = fields.map((field) => ({ ...field }));
  const line = () => kept.map((field) => field.text).join(separator);
  const least = (fields: typeof kept) => fields.reduce((a, b) => (b.keep < a.keep ? b : a));
  while (line().length > width) {
    const long = kept.filter((field) => field.short !== undefined && field.short !== field.text);
    if (long.length > 0) least(long).text = least(long).short!;
    else if (kept.length > 1) kept = kept.filter((field) => field !== least(kept));
    else break;
  }
  return cut(line(), width);
}

/** `text` cut to `width` characters, ending in `…` when cut. */
export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? '' : text.slice(0, width - 1) + '…';
}
