import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EpochMetrics } from '../train/train.ts';
import { withoutTypeScriptLoader } from '../train/worker-bundle.ts';
import type { RunnerMessage, RunTrial, TrialOutcome } from './protocol.ts';

/** A runner process starts through the command launcher (no TypeScript loader when its bundle can be built). */
const LAUNCHER = fileURLToPath(new URL('../cli/launch.mjs', import.meta.url));
/** The end of a crashed runner's stderr, quoted in the trial's error. */
const STDERR_TAIL = 2000;

/**
 * Trial-runner processes (trial-runner.ts), started on demand and reused: a process costs ~1 s to
 * start (the modules, the kernels, the worker threads), which matters for small trials. A runner whose trial
 * failed for an unexpected reason is replaced, in case the failure left it in a bad state.
 * The caller decides the concurrency: `run` takes an idle runner or starts one.
 */
export class RunnerPool {
  private readonly idle: Runner[] = [];
  private readonly all = new Set<Runner>();

  async run(trial: RunTrial, onEpoch: (metrics: EpochMetrics, epochs: number) => void): Promise<TrialOutcome> {
    const runner = this.idle.pop() ?? this.start();
    const outcome = await runner.run(trial, onEpoch);
    if (outcome.ok || outcome.deterministic) this.idle.push(runner);
    else this.stop(runner);
    return outcome;
  }

  /** Starts runners ahead of the first trials, so that their start-up overlaps with waiting for work. */
  prestart(count: number): void {
    for (let i = this.all.size; i < count; i++) this.idle.push(this.start());
  }

  /** Stops every runner (their trials, if any, are abandoned). */
  close(): void {
    for (const runner of this.all) this.stop(runner);
  }

  private start(): Runner {
    const runner = new Runner();
    this.all.add(runner);
    return runner;
  }

  private stop(runner: Runner): void {
    this.all.delete(runner);
    runner.kill();
  }
}

class Runner {
  private readonly child: ChildProcess;
  private stderr = '';
  private exited: string | null = null;
  private current: ((message: RunnerMessage | { type: 'exit' }) => void) | null = null;
  /** Resolves when the runner has loaded and listens (a message sent earlier could be lost). */
  private readonly ready: Promise<void>;
  private markReady = () => {};

  constructor() {
    // This process's node flags except tsx's loader: the launcher loads tsx itself if it must.
    const flags = withoutTypeScriptLoader(process.execArgv);
    this.child = spawn(process.execPath, [...flags, LAUNCHER, 'sweep-trial-runner'], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL)));
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.child.on('message', (message: RunnerMessage) =>
      message.type === 'ready' ? this.markReady() : this.current?.(message),
    );
    this.child.on('error', (error) => this.onExit(`could not be started (${error.message})`));
    this.child.on('exit', (code, signal) =>
      this.onExit(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  }

  run(trial: RunTrial, onEpoch: (metrics: EpochMetrics, epochs: number) => void): Promise<TrialOutcome> {
    return new Promise((resolve) => {
      const finish = (outcome: TrialOutcome) => {
        this.current = null;
        resolve(outcome);
      };
      this.current = (message) => {
        if (message.type === 'epoch' && message.id === trial.id) onEpoch(message.metrics, message.epochs);
        else if (message.type === 'done' && message.id === trial.id) finish({ ok: true });
        else if (message.type === 'failed' && message.id === trial.id)
          finish({ ok: false, error: message.error, deterministic: message.deterministic });
        else if (message.type === 'exit') finish({ ok: false, error: this.crashMessage(), deterministic: false });
      };
      void this.ready.then(() => {
        if (this.exited) return;
        this.child.send(trial, (error) => {
          if (error) this.onExit(`could not be reached (${error.message})`);
        });
      });
      if (this.exited) this.current({ type: 'exit' });
    });
  }

  kill(): void {
    if (this.exited === null) this.child.kill('SIGKILL');
  }

  private onExit(why: string): void {
    if (this.exited !== null) return;
    this.exited = why;
    this.markReady();
    this.current?.({ type: 'exit' });
  }

  private crashMessage(): string {
    const tail = this.stderr.trim();
    return `the trial-runner process ${this.exited}${tail ? `:\n${tail}` : ''}`;
  }
}
