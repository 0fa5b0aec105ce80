/**
 * The phase protocol as actors for the explorer: a coordinator that publishes a script of phases
 * and workers that serve them. `currentProtocol` is built from the production functions
 * (src/train/phase.ts) with only the compute replaced; `previousProtocol` is a line-by-line
 * transcription of the protocol before the fix (commit fc04b95, control.ts / coordinator.ts /
 * compute-thread.ts / workers/trainer.ts), kept to show that the explorer finds its race.
 */
import { Command, Slot, type ControlWords } from '../../../src/train/control.ts';
import {
  closePhase,
  emptyPhase,
  publishPhase,
  runChunks,
  runRanges,
  serveThread,
  type Phase,
  type PhaseWork,
} from '../../../src/train/phase.ts';
import { check, type ActorBody, type ActorEnvironment, type Model } from './explorer.ts';

export interface ScriptedPhase {
  /** `stats`: a batch-norm statistics stage of the step whose TRAIN phase follows (chunks only); `update`: the
   * ranges-only phase after a reduce-only TRAIN (gradient clipping). */
  command: 'train' | 'eval' | 'stats' | 'update';
  /** `stats` only: the stage the phase must carry. */
  stage?: number;
  chunks: number;
  ranges: number;
  batchSize: number;
  /** The coordinator abandons this phase after its own share and restarts the workers; the next entry is the retry. */
  abort?: boolean;
}

/** Where the ledger of work done lives: after the control block, 16 words per published phase. */
const LEDGER = 32;
const MAX_ITEMS = 8;
const ledgerSlot = (publish: number, kind: 'chunk' | 'range', index: number) =>
  LEDGER + publish * 2 * MAX_ITEMS + (kind === 'range' ? MAX_ITEMS : 0) + index;

/**
 * The compute of the model: each item checks that the phase it was handed is the phase with that
 * number in the script (its command, counts and batch size), that the index is in range, and that
 * this phase is still the published one, then counts itself in the ledger. The published phase's
 * sequence number is `factor ×` the value in `sequenceSlot`. A class, not closures: one is made
 * per actor run, ~10⁶ times per test (see Replay in explorer.ts).
 */
class LedgerWork implements PhaseWork {
  constructor(
    private readonly words: ControlWords,
    private readonly script: readonly ScriptedPhase[],
    private readonly sequenceSlot: number,
    private readonly factor: number,
  ) {}

  private record(phase: Phase, kind: 'chunk' | 'range', index: number): void {
    const { words, script } = this;
    const publish = phase.sequence / 2 - 1;
    const expected = script[publish];
    check(expected !== undefined, `${kind} ${index} of an unpublished phase ${publish}`);
    const count = kind === 'chunk' ? expected.chunks : expected.ranges;
    const what = `${kind} ${index} of phase ${publish} (${expected.command}, ${count} ${kind}s)`;
    check(index < count, `${what}: index out of range`);
    check(phase.chunks === expected.chunks, `${what}: run with a chunk count of ${phase.chunks}`);
    if (expected.command !== 'eval') {
      check(phase.batchSize === expected.batchSize, `${what}: run with batch size ${phase.batchSize}`);
    }
    if (kind === 'chunk' && expected.command !== 'eval') statisticsComplete(words, script, publish, what);
    const published = this.factor * words.load(this.sequenceSlot);
    check(published === phase.sequence, `${what}: run while another phase is published`);
    const slot = ledgerSlot(publish, kind, index);
    words.store(slot, words.load(slot) + 1);
  }

  trainChunk(phase: Phase, chunk: number): void {
    check(phase.command === Command.TRAIN, `training chunk ${chunk} in an evaluation phase`);
    this.record(phase, 'chunk', chunk);
  }

  evalChunk(phase: Phase, chunk: number): void {
    check(phase.command === Command.EVAL, `evaluation chunk ${chunk} in a training phase`);
    this.record(phase, 'chunk', chunk);
  }

  statsChunk(phase: Phase, chunk: number): void {
    check(phase.command === Command.STATS, `statistics chunk ${chunk} in a phase of command ${phase.command}`);
    const expected = this.script[phase.sequence / 2 - 1];
    check(phase.stage === (expected?.stage ?? 0), `statistics chunk ${chunk} run with stage ${phase.stage}`);
    this.record(phase, 'chunk', chunk);
  }

  reduceRange(phase: Phase, range: number): void {
    check(phase.command === Command.TRAIN, `reduce range ${range} in a phase of command ${phase.command}`);
    this.record(phase, 'range', range);
  }

  updateRange(phase: Phase, range: number): void {
    check(phase.command === Command.UPDATE, `update range ${range} in a phase of command ${phase.command}`);
    this.record(phase, 'range', range);
  }
}

/**
 * What a statistics stage or a training chunk reads: every chunk's partial sums of the step's
 * earlier statistics stages (the STATS phases just before it, back to an abandoned one). Each of
 * their chunks must have run exactly once by the time any chunk of this phase runs.
 */
function statisticsComplete(words: ControlWords, script: readonly ScriptedPhase[], publish: number, what: string) {
  for (let earlier = publish - 1; earlier >= 0; earlier--) {
    const phase = script[earlier];
    if (phase.command !== 'stats' || phase.abort) return;
    for (let c = 0; c < phase.chunks; c++) {
      const runs = words.load(ledgerSlot(earlier, 'chunk', c));
      check(runs === 1, `${what}: run while chunk ${c} of statistics phase ${earlier} has run ${runs} times`);
    }
  }
}

/** Asserts (from the coordinator, past a barrier) that every item of the phase ran exactly once. */
function checkOnce(words: ControlWords, publish: number, kind: 'chunk' | 'range', count: number): void {
  for (let i = 0; i < count; i++) {
    const runs = words.load(ledgerSlot(publish, kind, i));
    check(runs === 1, `the ${kind} barrier of phase ${publish} passed with ${kind} ${i} run ${runs} times`);
  }
}

function waitUntilEquals(words: ControlWords, slot: number, target: number): void {
  for (;;) {
    const value = words.load(slot);
    if (value === target) return;
    words.wait(slot, value);
  }
}

/** Final check: no item ran twice, and every item of a phase that was not abandoned ran once. */
function finalCheck(script: readonly ScriptedPhase[]) {
  return (memory: Int32Array) => {
    script.forEach((phase, publish) => {
      for (const kind of ['chunk', 'range'] as const) {
        const count = kind === 'chunk' ? phase.chunks : phase.command === 'eval' ? 0 : phase.ranges;
        for (let i = 0; i < MAX_ITEMS; i++) {
          const runs = memory[ledgerSlot(publish, kind, i)];
          const allowed = i >= count ? runs === 0 : phase.abort ? runs <= 1 : runs === 1;
          check(allowed, `phase ${publish}: ${kind} ${i} ran ${runs} times`);
        }
      }
    });
  };
}

/**
 * `skipStatisticsBarrier` (a negative control): the coordinator publishes the next phase after a
 * STATS phase without waiting for its chunks, as a trainer that forgot the barrier would.
 */
export function currentProtocol(
  script: readonly ScriptedPhase[],
  workers: number,
  { skipStatisticsBarrier = false } = {},
): Model {
  const coordinator: ActorBody = (words, env) => {
    const work = new LedgerWork(words, script, Slot.SEQUENCE, 1);
    const phase = emptyPhase();
    let params = 0;
    let step = 0;
    waitUntilEquals(words, Slot.READY, workers);
    script.forEach((scripted, publish) => {
      const { chunks, batchSize } = scripted;
      const ranges = scripted.command === 'train' || scripted.command === 'update' ? scripted.ranges : 0;
      const commands = { train: Command.TRAIN, eval: Command.EVAL, stats: Command.STATS, update: Command.UPDATE };
      const command = commands[scripted.command];
      const stage = scripted.stage ?? 0;
      publishPhase(words, phase, { command, chunks, ranges, batchStart: 0, batchSize, step, params, stage });
      runChunks(words, phase, work);
      if (scripted.abort) {
        closePhase(words, phase);
        words.store(Slot.READY, 0);
        env.restartWorkers(workers);
        waitUntilEquals(words, Slot.READY, workers);
        return;
      }
      if (skipStatisticsBarrier && command === Command.STATS) return;
      waitUntilEquals(words, Slot.CHUNKS_DONE, (phase.base + chunks) | 0);
      checkOnce(words, publish, 'chunk', chunks);
      if (command === Command.EVAL || command === Command.STATS) return;
      runRanges(words, phase, work);
      waitUntilEquals(words, Slot.RANGES_DONE, (phase.base + ranges) | 0);
      checkOnce(words, publish, 'range', ranges);
      // A TRAIN followed by its UPDATE (clipping) is one step: the update commits it.
      if (script[publish + 1]?.command === 'update') return;
      params = 1 - params;
      step++;
    });
    publishPhase(words, phase, {
      command: Command.STOP,
      chunks: 0,
      ranges: 0,
      batchStart: 0,
      batchSize: 0,
      step,
      params,
    });
  };
  const worker: ActorBody = (words) => serveThread(words, new LedgerWork(words, script, Slot.SEQUENCE, 1));
  return {
    memoryWords: LEDGER + script.length * 2 * MAX_ITEMS,
    coordinator,
    worker,
    workers,
    checkFinal: finalCheck(script),
  };
}

/** The slots of the protocol before the fix. */
const Old = {
  GENERATION: 0,
  COMMAND: 1,
  NEXT_CHUNK: 2,
  CHUNKS_DONE: 3,
  CHUNK_COUNT: 4,
  NEXT_RANGE: 5,
  RANGES_DONE: 6,
  RANGE_COUNT: 7,
  ABORT: 8,
  BATCH_START: 9,
  BATCH_SIZE: 10,
  STEP: 13,
  READY: 14,
  CURRENT: 17,
} as const;
const taggedStart = (generation: number) => (generation & 2047) << 20;

function oldGrab(words: ControlWords, slot: number, generation: number, count: number): number {
  const tag = taggedStart(generation);
  for (;;) {
    const current = words.load(slot);
    const index = current - tag;
    if (index < 0 || index >= count) return -1;
    if (words.compareExchange(slot, current, current + 1) === current) return index;
  }
}

/** Atomics.add as one compare-exchange that succeeds (the same single atomic step). */
function oldCountUp(words: ControlWords, slot: number, target: number): void {
  let value = words.load(slot);
  for (let found; (found = words.compareExchange(slot, value, value + 1)) !== value;) value = found;
  if (value + 1 >= target) words.notify(slot);
}

/** The old compute-thread.ts runChunks / runRanges: counts and batch values read from the live slots. */
function oldRun(words: ControlWords, work: PhaseWork, generation: number, kind: number, aborted: () => boolean) {
  const ranges = kind === -1;
  const count = words.load(ranges ? Old.RANGE_COUNT : Old.CHUNK_COUNT);
  for (;;) {
    const index = oldGrab(words, ranges ? Old.NEXT_RANGE : Old.NEXT_CHUNK, generation, count);
    if (index < 0 || aborted()) return;
    // What the old trainChunk/evalChunk/runRanges read from the control block while computing.
    const phase: Phase = {
      ...emptyPhase(),
      sequence: 2 * generation,
      command: ranges ? Command.TRAIN : kind,
      chunks: ranges ? words.load(Old.CHUNK_COUNT) : count,
      batchSize: words.load(Old.BATCH_SIZE),
    };
    if (ranges) work.reduceRange(phase, index);
    else if (kind === Command.EVAL) work.evalChunk(phase, index);
    else if (kind === Command.STATS) work.statsChunk(phase, index);
    else work.trainChunk(phase, index);
    oldCountUp(words, ranges ? Old.RANGES_DONE : Old.CHUNKS_DONE, count);
  }
}

export function previousProtocol(script: readonly ScriptedPhase[], workers: number): Model {
  // control.ts waitForCount: spin, then Atomics.wait with a 50 ms timeout, re-checking giveUp.
  const waitForCount = (
    words: ControlWords,
    env: ActorEnvironment,
    slot: number,
    target: number,
    giveUp: () => boolean,
  ) => {
    for (;;) {
      const current = words.load(slot);
      if (current >= target) return true;
      if (giveUp()) return false;
      env.timedWait(slot, current);
    }
  };
  const coordinator: ActorBody = (words, env) => {
    const work = new LedgerWork(words, script, Old.GENERATION, 2);
    let generation = 0;
    const publish = (command: number, values: Array<[number, number]>) => {
      const next = generation + 1;
      for (const [slot, value] of values) words.store(slot, value);
      words.store(Old.NEXT_CHUNK, taggedStart(next));
      words.store(Old.NEXT_RANGE, taggedStart(next));
      words.store(Old.CHUNKS_DONE, 0);
      words.store(Old.RANGES_DONE, 0);
      words.store(Old.COMMAND, command);
      words.store(Old.GENERATION, next);
      words.notify(Old.GENERATION);
      generation = next;
    };
    waitForCount(words, env, Old.READY, workers, () => false);
    let step = 0;
    for (const scripted of script) {
      const { chunks, ranges, batchSize } = scripted;
      if (scripted.command === 'train') {
        publish(Command.TRAIN, [
          [Old.STEP, step],
          [Old.BATCH_START, 0],
          [Old.BATCH_SIZE, batchSize],
          [Old.CHUNK_COUNT, chunks],
          [Old.RANGE_COUNT, ranges],
        ]);
      } else publish(Command.EVAL, [[Old.CHUNK_COUNT, chunks]]);
      const command = scripted.command === 'train' ? Command.TRAIN : Command.EVAL;
      oldRun(words, work, generation, command, () => false);
      if (scripted.abort) {
        words.store(Old.ABORT, generation);
        words.store(Old.READY, 0);
        env.restartWorkers(workers);
        waitForCount(words, env, Old.READY, workers, () => false);
        continue;
      }
      waitForCount(words, env, Old.CHUNKS_DONE, chunks, () => false);
      checkOnce(words, generation - 1, 'chunk', chunks);
      if (command !== Command.TRAIN) continue;
      oldRun(words, work, generation, -1, () => false);
      waitForCount(words, env, Old.RANGES_DONE, ranges, () => false);
      checkOnce(words, generation - 1, 'range', ranges);
      words.store(Old.CURRENT, 1 - words.load(Old.CURRENT));
      step++;
    }
    publish(Command.STOP, []);
  };
  const worker: ActorBody = (words, env) => {
    const work = new LedgerWork(words, script, Old.GENERATION, 2);
    let generation = words.load(Old.GENERATION);
    oldCountUp(words, Old.READY, Infinity);
    words.notify(Old.READY);
    for (;;) {
      while (words.load(Old.GENERATION) === generation) env.timedWait(Old.GENERATION, generation);
      generation = words.load(Old.GENERATION);
      const command = words.load(Old.COMMAND);
      if (command === Command.STOP) return;
      const aborted = () => words.load(Old.ABORT) === generation;
      if (command === Command.EVAL) {
        oldRun(words, work, generation, Command.EVAL, aborted);
        continue;
      }
      oldRun(words, work, generation, Command.TRAIN, aborted);
      const stale = () => aborted() || words.load(Old.GENERATION) !== generation;
      if (!waitForCount(words, env, Old.CHUNKS_DONE, words.load(Old.CHUNK_COUNT), stale)) continue;
      oldRun(words, work, generation, -1, aborted);
    }
  };
  return {
    memoryWords: LEDGER + script.length * 2 * MAX_ITEMS,
    coordinator,
    worker,
    workers,
    checkFinal: finalCheck(script),
  };
}
