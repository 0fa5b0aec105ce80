import { createRng, type Rng } from '../random.ts';
import type { Distribution, Sweep } from './schema.ts';

/**
 * The search space as a list of points. A point is the values one trial sets, each remembering
 * where in the sweep file it came from (for error messages). `grid`, `random` and `list` each give
 * a list of partial points; the space is their product (a part that is absent counts as one empty
 * point), in that order, the first part varying slowest: grid × random × list.
 */

export interface Assignment {
  path: string;
  value: unknown;
  /** Where the value is written in the sweep file, e.g. ['grid', 'train.epochs', 2]. */
  origin: (string | number)[];
}

export type Point = Assignment[];

/** The stream of the sweep's random search, apart from the trainer's own (src/random.ts STREAM). */
const RANDOM_SEARCH_STREAM = 101;

export function expandSpace(sweep: Pick<Sweep, 'grid' | 'random' | 'list'>): Point[] {
  const parts = [gridPoints(sweep.grid), randomPoints(sweep.random), listPoints(sweep.list)];
  return parts.reduce<Point[]>((points, part) => points.flatMap((p) => part.map((q) => [...p, ...q])), [[]]);
}

/** Every combination, the first key varying slowest (as nested loops in the order written). */
export function gridPoints(grid: Sweep['grid']): Point[] {
  let points: Point[] = [[]];
  for (const [path, values] of Object.entries(grid ?? {})) {
    points = points.flatMap((point) =>
      values.map((value, i) => [...point, { path, value, origin: ['grid', path, i] }]),
    );
  }
  return points;
}

/**
 * `count` points; point i draws its parameters in the order written, one uniform number each, from
 * one generator seeded with `seed`: the same file always gives the same points, and a larger count
 * keeps the first points.
 */
export function randomPoints(random: Sweep['random']): Point[] {
  if (!random) return [[]];
  const rng = createRng(random.seed, RANDOM_SEARCH_STREAM);
  const params = Object.entries(random.params);
  return Array.from({ length: random.count }, (_, i) =>
    params.map(([path, distribution]) => ({
      path,
      value: draw(distribution, rng),
      origin: ['random', 'params', path, `point ${i}`],
    })),
  );
}

/** One value from a distribution, using exactly one uniform draw. */
export function draw(distribution: Distribution, rng: Rng): unknown {
  const u = rng.next();
  if (distribution.uniform) {
    const [low, high] = distribution.uniform;
    return low + u * (high - low);
  }
  if (distribution.logUniform) {
    const [low, high] = distribution.logUniform;
    return low * (high / low) ** u; // = exp(ln low + u·(ln high − ln low)), and exactly low at u = 0
  }
  if (distribution.int) {
    const [low, high] = distribution.int;
    return low + Math.floor(u * (high - low + 1));
  }
  const choices = distribution.choice!;
  return structuredClone(choices[Math.floor(u * choices.length)]);
}

function listPoints(list: Sweep['list']): Point[] {
  if (!list) return [[]];
  return list.map((point, i) =>
    Object.entries(point).map(([path, value]) => ({ path, value, origin: ['list', i, path] })),
  );
}
