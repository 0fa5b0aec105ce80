/**
 * The config fields in which runs differ, as dotted paths (`train.optimizer.learningRate`,
 * `model.layers.0.units`): what a sweep varied. A field missing from some runs counts as a
 * difference (shown as absent). `output.dir` is left out: it differs between any two runs and the
 * comparison already names each run by its directory.
 */
export interface ConfigDifference {
  readonly path: string;
  /** One entry per run, in the order given; undefined where the run's config has no such field. */
  readonly values: ReadonlyArray<unknown>;
}

const IGNORED = new Set(['output.dir']);

export function configDifferences(configs: readonly unknown[]): ConfigDifference[] {
  const flat = configs.map((config) => flatten(config));
  const paths: string[] = [];
  for (const fields of flat) for (const path of fields.keys()) if (!paths.includes(path)) paths.push(path);
  return paths
    .filter((path) => !IGNORED.has(path))
    .filter((path) => new Set(flat.map((fields) => JSON.stringify(fields.get(path)))).size > 1)
    .map((path) => ({ path, values: flat.map((fields) => fields.get(path)) }));
}

/**
 * Leaf values by dotted path, in the config's own key order. Arrays are walked by index, so one
 * changed layer width is one row, not the whole layer list; an empty object or array is a leaf.
 */
export function flatten(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : null;
  if (entries === null || entries.length === 0) {
    if (prefix !== '' || entries === null) into.set(prefix, value);
    return into;
  }
  for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  return into;
}
