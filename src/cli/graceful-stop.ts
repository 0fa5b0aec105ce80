import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof SIGNALS)[number];

export interface GracefulStop {
  readonly signal: AbortSignal;
  /** The signal that asked the run to stop (null if none did). */
  readonly reason: () => StopSignal | null;
  /** The conventional exit code for it: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: () => number;
  readonly dispose: () => void;
}

/**
 * The first SIGINT, SIGTERM or SIGHUP asks the run to stop at the end of the current step (it then
 * writes a checkpoint); a second one exits at once — every file of the run directory is written
 * atomically, so it is still consistent. The parent going away (npm killed, a closed ssh session:
 * this process is re-parented) counts as a SIGHUP.
 */
export function gracefulStop(say: (line: string) => void, exit: (code: number) => void = process.exit): GracefulStop {
  const controller = new AbortController();
  let reason: StopSignal | null = null;
  const code = () => (reason ? 128 + constants.signals[reason] : 0);
  const handle = (signal: StopSignal) => {
    if (reason) {
      say(`✖ ${signal} again: exiting now; resume from the last checkpoint with --resume`);
      exit(128 + constants.signals[signal]);
      return;
    }
    reason = signal;
    say(`${signal}: stopping after this step and writing a checkpoint (${signal} again to exit at once)`);
    controller.abort(signal);
  };
  const handlers = SIGNALS.map((signal) => [signal, () => handle(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const parent = process.ppid;
  const watcher = setInterval(() => process.ppid !== parent && !reason && handle('SIGHUP'), 500);
  watcher.unref();
  return {
    signal: controller.signal,
    reason: () => reason,
    exitCode: code,
    dispose: () => {
      clearInterval(watcher);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
