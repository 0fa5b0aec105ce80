/**
 * A mistake of the user's (bad config, missing file, malformed data): printed as a plain message
 * with no stack trace, and the process exits non-zero. Anything else is a bug and keeps its stack.
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

/** Runs a CLI's main function: user errors become `✖ message` on stderr and their exit code. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UserError) {
      const message = error.message.startsWith('✖') ? error.message : `✖ ${error.message}`;
      process.stderr.write(message + '\n');
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
