import type { Writable } from 'node:stream';

/**
 * Output that a departed reader cannot kill. `… --json | head -c 10`, a dying `tee` or ssh session
 * close the other end of stdout; the next write fails (EPIPE; EIO on a hung-up terminal; ENOSPC for
 * a file on a full disk), and Node reports it as an 'error' event on the stream which, unhandled,
 * ends the process in the middle of training. `guardOutput` handles the stream's errors: the first
 * one marks it closed (`onClosed` is told, once); every later write is dropped, as are later errors.
 * The run directory, not stdout, is the record of a run, so training goes on.
 */
export interface GuardedOutput {
  /** Writes `text` unless the stream is closed; never throws, never ends the process. */
  write(text: string): void;
  readonly closed: boolean;
}

const guards = new WeakMap<Writable, GuardedOutput>();

/**
 * Guards `stream` (process.stdout by default). Guarding a stream again returns the same guard (and
 * ignores the new `onClosed`). The guard also covers `console.log`, which writes to process.stdout:
 * its writes after the close are dropped by the stream, and their errors land in the handler here.
 */
export function guardOutput(
  stream: Writable = process.stdout,
  onClosed: (error: Error) => void = () => {},
): GuardedOutput {
  const existing = guards.get(stream);
  if (existing) return existing;
  let closed = false;
  const close = (error: Error): void => {
    if (closed) return;
    closed = true;
    onClosed(error);
  };
  stream.on('error', close);
  const guard: GuardedOutput = {
    get closed() {
      return closed || stream.destroyed;
    },
    write(text: string): void {
      if (guard.closed) return;
      try {
        stream.write(text);
      } catch (error) {
        close(error as Error); // a file descriptor written synchronously throws instead of emitting
      }
    },
  };
  guards.set(stream, guard);
  return guard;
}
