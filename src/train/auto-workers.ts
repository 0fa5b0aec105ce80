/**
 * `parallel.workers: "auto"`: as many threads as the work of one step can keep busy.
 *
 * Every step costs a fixed ~45 µs of barrier, ordered reduce and serial work once a second thread
 * takes part (docs/performance.md, the small net at 2 workers), and a thread only speeds a step up
 * by the work it takes off the others. The work of a training step is ~6 floating-point operations
 * per parameter per row (2 forward, 4 backward: the input gradient and the weight gradient), and the
 * kernels run at ~40 GFLOP/s per core. So each thread should get at least MIN_FLOPS_PER_THREAD per
 * step: 4 MFLOP, ~100 µs of compute, twice that fixed cost. Measured against it:
 *   - 784-50-10 at batch 100 (the MNIST example): 23.9 MFLOP per step, 1.54–1.67× at 2 workers
 *     (README, Speed): threads pay, auto gives it every core (up to one per chunk);
 *   - a 150-row iris run (4-16-3, 131 parameters, batch 100): 79 kFLOP per step, 0.38 s at 1 worker
 *     and 1.45 s at 2 (issue 12): threads only wait for each other, auto gives it 1.
 * Threads beyond the chunks of a batch would have no chunk to compute, so they are never chosen.
 */

/** Step work each thread should get for one more thread to pay for its synchronisation. */
export const MIN_FLOPS_PER_THREAD = 4e6;

export interface WorkerChoice {
  /** Threads computing, the coordinator's own included. */
  readonly count: number;
  /** Chosen by the rule (true) or set in the config / on the command line (false). */
  readonly auto: boolean;
  /** Why, for people: `auto: 24 MFLOP per step, 2 cores`. */
  readonly why: string;
}

export interface StepWork {
  /** Rows of a full training step (the batch, or the whole split when it is smaller). */
  readonly batchRows: number;
  readonly paramCount: number;
  readonly chunks: number;
  /** Cores of this machine (availableParallelism()). */
  readonly cores: number;
}

/** Floating-point operations of a training step, forward and backward. */
export function stepFlops({ batchRows, paramCount }: Pick<StepWork, 'batchRows' | 'paramCount'>): number {
  return 6 * batchRows * paramCount;
}

/** The thread count for `parallel.workers` (a number is obeyed as it is). */
export function chooseWorkers(workers: number | 'auto', work: StepWork): WorkerChoice {
  if (workers !== 'auto') return { count: workers, auto: false, why: 'as configured' };
  const flops = stepFlops(work);
  const affordable = Math.max(1, Math.floor(flops / MIN_FLOPS_PER_THREAD));
  const count = Math.min(affordable, work.cores, work.chunks);
  const size = `${formatFlops(flops)} per step`;
  let why: string;
  if (count === 1 && work.cores > 1) why = `auto: ${size}, too little to share between threads`;
  else if (count === work.cores) why = `auto: ${size}, ${work.cores === 1 ? '1 core' : `all ${work.cores} cores`}`;
  else if (count === work.chunks) why = `auto: ${size}, one per chunk of the batch`;
  else why = `auto: ${size}, ${formatFlops(MIN_FLOPS_PER_THREAD)} or more per thread`;
  return { count, auto: true, why };
}

function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${(flops / 1e9).toPrecision(3)} GFLOP`;
  if (flops >= 1e6) return `${(flops / 1e6).toPrecision(3)} MFLOP`;
  return `${(flops / 1e3).toPrecision(3)} kFLOP`;
}
