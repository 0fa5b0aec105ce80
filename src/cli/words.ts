/** `1 worker`, `2 workers`, `0 run directories`: a count and its noun, in the right number. */
export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : noun.replace(/y$/, 'ie') + 's'}`;
}
