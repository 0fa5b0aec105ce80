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
