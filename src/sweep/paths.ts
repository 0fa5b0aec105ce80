/**
 * Dotted config paths (`train.optimizer.learningRate`, `model.layers.0.units`) on plain JSON.
 * Setting a path creates missing object keys (so `parallel.chunks` works on a config without a
 * `parallel` section), but never array items or keys inside a number or string: those are mistakes.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets `path` in `root` (mutated). Returns null, or why the path cannot be set. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): string | null {
  const keys = path.split('.');
  let node: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const last = i === keys.length - 1;
    const here = keys.slice(0, i).join('.') || 'the config';
    if (Array.isArray(node)) {
      const index = /^\d+$/.test(key) ? Number(key) : NaN;
      if (!(index < node.length)) return `${here} has ${node.length} items: there is no item ${key}`;
      if (last) node[index] = structuredClone(value);
      else node = node[index];
    } else if (isObject(node)) {
      if (last) node[key] = structuredClone(value);
      else node = node[key] ??= {};
    } else {
      return `${here} is ${JSON.stringify(node)}, not an object: it has no ${key}`;
    }
  }
  return null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level: equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
