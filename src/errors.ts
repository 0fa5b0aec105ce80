/**
 * The project's error kinds, and the messages that recur across commands, built in one place so
 * they read the same everywhere (as piscina keeps its messages in one module).
 */

/**
 * A mistake of the user's (bad config, missing file, malformed data): printed as a plain message
 * with no stack trace, and the process exits non-zero (see `runCommand` in src/cli/io.ts). Anything
 * else is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A step could not be completed by the workers (a crash, a throw, or a timeout). Retryable. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly cause?: Error,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** Where a step of training is: epoch and 1-based step within it and over the run. */
export interface StepPlace {
  epoch: number;
  stepInEpoch: number;
  step: number;
}

export const errors = {
  /** A path in a config that names no file (a zod issue message: the field is added by the caller). */
  fileNotFound: (path: string) => `file not found: ${path}`,

  runDirectoryNotFound: (dir: string) => new UserError(`✖ run directory not found → at ${dir}`),

  notARunDirectory: (dir: string) => new UserError(`✖ not a directory (expected a run directory) → at ${dir}`),

  /** Exit 1: the config was valid, the numbers were not. `keptIn`: the run directory, if one is written. */
  diverged: (place: StepPlace, what: string, keptIn?: string) =>
    new UserError(
      `training diverged at epoch ${place.epoch}, step ${place.stepInEpoch} (global step ${place.step}): ${what}. ` +
        `Lower the learning rate` +
        (keptIn ? `; the last good weights are in ${keptIn}/model.safetensors (if an epoch finished)` : ''),
      1,
    ),

  /** Exit 1: the workers failed `tries` times in a row at the same step; the last failure is the cause. */
  stepFailed: (what: string, tries: number, last: Error) =>
    Object.assign(new UserError(`${what} failed ${tries} times; giving up. Last failure: ${last.message}`, 1), {
      cause: last,
    }),

  /** The machine refused the run's shared memory. */
  arenaTooLarge: (bytes: number, reason: string) =>
    new UserError(
      `cannot allocate ${(bytes / 2 ** 20).toFixed(0)} MiB of shared memory for this run ` +
        `(${reason}): use fewer units, chunks or workers`,
    ),
};
