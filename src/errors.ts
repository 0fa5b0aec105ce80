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
