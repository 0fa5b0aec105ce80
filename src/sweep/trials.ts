import { join } from 'node:path';
import { z } from 'zod';
import { runConfigSchema, type RunConfig } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { canonicalJson, setPath } from './paths.ts';
import type { Sweep } from './schema.ts';
import { expandSpace, type Assignment } from './space.ts';
import { trialId } from './trial-id.ts';

/** One training run of the sweep: a point of the space with one seed. */
export interface Trial {
  id: string;
  /** Position in the sweep's order (grid × random × list, then repeats). */
  index: number;
  /** The values this trial varies (path → value), without the `set` values every trial shares. */
  point: Record<string, unknown>;
  /** Equal for the repeats of one point: trials are grouped by it when ranked. */
  pointKey: string;
  repeat: number;
  /** Resolved; `output.dir` is `<out>/trials/<id>`, `name` is `<sweep>-<id>`. */
  config: RunConfig;
}

export interface BaseConfig {
  raw: Record<string, unknown>;
  /** How errors name a config path of the base: `data/configs/x.json: train.epochs` or `base.train.epochs`. */
  describe: (path: string) => string;
}

const MAX_ERRORS = 10;

/**
 * Every trial of the sweep, each config validated like `npm run batch` would. All problems are
 * gathered first and reported together (`✖ message → at path`, naming the place in the sweep
 * file that set the bad value), so nothing runs until the whole sweep is valid.
 */
export function expandTrials(sweep: Sweep, base: BaseConfig, outDir: string): Trial[] {
  const problems = new Set<string>();
  const trials: Trial[] = [];
  const fixed = Object.entries(sweep.set).map(([path, value]) => ({ path, value, origin: ['set', path] }));
  for (const point of expandSpace(sweep)) {
    const config = resolvePoint(base, [...fixed, ...point], problems);
    if (!config) continue;
    for (let repeat = 0; repeat < sweep.repeats; repeat++) {
      const seed = config.seed + repeat;
      if (seed > 2 ** 32 - 1) {
        problems.add(`✖ seed ${config.seed} + ${repeat} is past 2^32 − 1: lower the seed or the repeats → at repeats`);
        break;
      }
      const id = trialId({ ...config, seed });
      const resolved = { ...config, seed, name: `${sweep.name}-${id}`, output: { dir: join(outDir, 'trials', id) } };
      const values = Object.fromEntries(point.map((a) => [a.path, a.value]));
      trials.push({
        id,
        index: trials.length,
        point: values,
        pointKey: canonicalJson(values),
        repeat,
        config: resolved,
      });
    }
  }
  const byId = new Map<string, Trial>();
  for (const trial of trials) {
    const twin = byId.get(trial.id);
    if (twin)
      problems.add(
        `✖ trials ${twin.index + 1} (${describePoint(twin)}) and ${trial.index + 1} (${describePoint(trial)}) ` +
          `have the same config (id ${trial.id}): remove the duplicate value`,
      );
    else byId.set(trial.id, trial);
  }
  if (problems.size > 0) throw new UserError(listProblems([...problems]));
  return trials;
}

/** The base config with the point's values set, validated; null (and problems noted) if invalid. */
function resolvePoint(base: BaseConfig, assignments: Assignment[], problems: Set<string>): RunConfig | null {
  const raw = structuredClone(base.raw);
  let ok = true;
  for (const { path, value, origin } of assignments) {
    const why = setPath(raw, path, value);
    if (why) {
      problems.add(`✖ cannot set ${path}: ${why} → at ${z.core.toDotPath(origin)}`);
      ok = false;
    }
  }
  if (!ok) return null;
  const result = runConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = issue.path.map(String).join('.');
    // An unknown key is reported on the object holding it: name the key's own path instead.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => (at ? `${at}.${key}` : key)) : [at];
    for (const configPath of paths) {
      const source = responsible(assignments, configPath);
      const where = source
        ? `${z.core.toDotPath(source.origin)} (${source.path} = ${JSON.stringify(source.value)})`
        : base.describe(configPath);
      problems.add(`✖ ${issue.message} → at ${where}`);
    }
  }
  return null;
}

/**
 * The assignment that set the value at `configPath`: the innermost one holding it, or else one
 * inside it (an object missing a required key that a value was set in).
 */
function responsible(assignments: Assignment[], configPath: string): Assignment | undefined {
  const within = (outer: string, inner: string) => inner === outer || inner.startsWith(outer + '.');
  const longestFirst = (a: Assignment, b: Assignment) => b.path.length - a.path.length;
  const holding = assignments.filter((a) => within(a.path, configPath)).sort(longestFirst);
  return holding[0] ?? assignments.find((a) => within(configPath, a.path));
}

export function describePoint(trial: Pick<Trial, 'point' | 'repeat' | 'config'>): string {
  const values = Object.entries(trial.point).map(([path, value]) => `${path}=${JSON.stringify(value)}`);
  if (!('seed' in trial.point)) values.push(`seed=${trial.config.seed}`);
  return values.join(', ');
}

function listProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_ERRORS);
  const more = problems.length - shown.length;
  return [...shown, ...(more > 0 ? [`✖ … and ${more} more problems`] : [])].join('\n');
}
