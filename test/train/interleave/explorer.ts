/**
 * A small stateless-replay model checker for the phase protocol. Actors (the coordinator and
 * worker threads) are ordinary synchronous functions that touch shared memory only through the
 * `ControlWords` they are given: the production protocol code runs unchanged. The explorer runs
 * one actor for exactly one shared-memory access at a time, so it can interleave the actors in
 * every order: to resume an actor it runs it again from the start, answering its earlier accesses
 * from the recorded results (a deterministic function of those results reaches the same point),
 * performs the next access for real, and stops it before the one after.
 *
 * The search is depth-first over all orders with at most `preemptions` switches away from an
 * actor that could have gone on (switching away from a blocked or finished actor is free): the
 * bugs of this kind of protocol need one or two badly timed preemptions (cf. CHESS). States are
 * memoised (memory + every actor's history), and the number of distinct complete interleavings
 * is counted through the memo.
 */
import type { ControlWords } from '../../../src/train/control.ts';

export interface ActorEnvironment {
  /** Kills every worker actor where it stands and starts `count` fresh ones (a pool restart). */
  restartWorkers(count: number): void;
  /**
   * Like `words.wait`, but with a timeout: it also returns when no actor can move (the timeout is
   * the only way on). Models the previous protocol, which relied on timeouts to notice a stale phase.
   */
  timedWait(slot: number, value: number): void;
}

export type ActorBody = (words: ControlWords, env: ActorEnvironment) => void;

export interface Model {
  memoryWords: number;
  coordinator: ActorBody;
  worker: ActorBody;
  workers: number;
  /** Called on every final state (all live actors finished): throw to report a violation. */
  checkFinal?: (memory: Int32Array) => void;
}

export interface Exploration {
  /** Distinct complete interleavings within the preemption bound. */
  interleavings: number;
  states: number;
  violation: { message: string; schedule: string[] } | null;
}

type Status = 'ready' | 'blocked' | 'done' | 'dead';

interface ActorState {
  readonly name: string;
  readonly body: ActorBody;
  readonly history: readonly number[];
  /** Two 32-bit rolling hashes of `history` (the memo key: an actor's local state is a function of it). */
  readonly digest: readonly [number, number];
  readonly status: Status;
  readonly blockedOn?: readonly [number, number];
  readonly timed?: boolean;
}

/** The steps taken to a state, newest first: shared with the states before it, spelt out only for a violation. */
interface Trail {
  readonly actor: string;
  readonly call: number;
  readonly before: Trail | null;
}

interface State {
  readonly memory: Int32Array;
  readonly actors: readonly ActorState[];
  readonly current: number;
  readonly preemptions: number;
  readonly trail: Trail | null;
}

/** The schedule of a trail, oldest step first: `worker1#3` is worker1's fourth access. */
function scheduleOf(trail: Trail | null): string[] {
  const steps: string[] = [];
  for (let t = trail; t !== null; t = t.before) steps.push(`${t.actor}#${t.call}`);
  return steps.reverse();
}

const PAUSE = Symbol('pause');
class Violation extends Error {}

/**
 * One run of an actor: answers its first `replayed.length` accesses from the recorded results and
 * performs the next one for real (when `advance`), then pauses it. The accesses are methods, not
 * closures made per run: a resume happens ~10⁶ times per test, and tsx wraps every closure it
 * creates in a name-keeping helper that cost a third of the explorer's time.
 */
class Replay implements ControlWords, ActorEnvironment {
  calls = 0;
  status: Status = 'ready';
  blockedOn: readonly [number, number] | undefined;
  timed = false;
  restart: number | null = null;
  readonly history: number[];
  digest: readonly [number, number];

  constructor(
    readonly memory: Int32Array,
    private readonly replayed: readonly number[],
    digest: readonly [number, number],
    private readonly advance: boolean,
  ) {
    this.history = replayed.slice();
    this.digest = digest;
  }

  /** The next access: its recorded result, or -1 when it is to be performed now (else it pauses). */
  private next(wait?: readonly [number, number], withTimeout = false): number {
    const call = this.calls++;
    if (call < this.replayed.length) return call;
    if (!this.advance || call > this.replayed.length) {
      if (wait && this.memory[wait[0]] === wait[1]) {
        this.status = 'blocked';
        this.blockedOn = wait;
        this.timed = withTimeout;
      }
      throw PAUSE;
    }
    return -1;
  }

  private record(result: number): number {
    const call = this.history.length;
    this.history.push(result);
    const [a, b] = this.digest;
    this.digest = [Math.imul(a ^ result, 16777619), Math.imul(b + result, 2246822519) ^ call];
    return result;
  }

  load(slot: number): number {
    const call = this.next();
    return call >= 0 ? this.replayed[call] : this.record(this.memory[slot]);
  }

  store(slot: number, value: number): void {
    if (this.next() >= 0) return;
    this.memory[slot] = value;
    this.record(0);
  }

  compareExchange(slot: number, expected: number, replacement: number): number {
    const call = this.next();
    if (call >= 0) return this.replayed[call];
    const found = this.memory[slot];
    if (found === expected) this.memory[slot] = replacement;
    return this.record(found);
  }

  notify(slot: number): void {
    if (this.next() < 0) this.record(slot);
  }

  wait(slot: number, value: number): void {
    if (this.next([slot, value]) < 0) this.record(0);
  }

  restartWorkers(count: number): void {
    if (this.next() >= 0) return;
    this.restart = count;
    this.record(0);
  }

  timedWait(slot: number, value: number): void {
    if (this.next([slot, value], true) < 0) this.record(0);
  }
}

/** Runs `actor` from its start, replaying its history, then performs one more access (when `advance`). */
function resume(state: State, index: number, advance: boolean): State {
  let actors = state.actors.slice();
  const actor = actors[index];
  const run = new Replay(state.memory.slice(), actor.history, actor.digest, advance);
  try {
    actor.body(run, run);
    run.status = 'done';
  } catch (error) {
    if (error !== PAUSE) throw new Violation(`${actor.name}: ${(error as Error).message}`);
  }
  const { memory, history, digest, status, blockedOn, timed, restart } = run;
  actors[index] = { ...actor, history, digest, status, blockedOn, timed };
  if (restart !== null) {
    actors = actors.map((a) => (a.name.startsWith('worker') && a.status !== 'done' ? { ...a, status: 'dead' } : a));
    const first = actors.length;
    for (let i = 0; i < restart; i++) {
      const body = state.actors[1].body;
      actors.push({ name: `worker${first + i}`, body, history: [], digest: [0, 0], status: 'ready' });
    }
    let next: State = { ...state, memory, actors };
    for (let i = first; i < actors.length; i++) next = resume(next, i, false);
    return next;
  }
  return { ...state, memory, actors };
}

function woken(state: State, index: number): boolean {
  const actor = state.actors[index];
  if (actor.status === 'ready') return true;
  return actor.status === 'blocked' && state.memory[actor.blockedOn![0]] !== actor.blockedOn![1];
}

/** Actors that can take a step; when none can, those in a timed wait time out. */
function enabledActors(state: State): number[] {
  const indices = state.actors.map((_, i) => i);
  const ready = indices.filter((i) => woken(state, i));
  if (ready.length > 0) return ready;
  return indices.filter((i) => state.actors[i].status === 'blocked' && state.actors[i].timed);
}

const STATUS_CODE: Record<Status, number> = { ready: 0, blocked: 1, done: 2, dead: 3 };

/**
 * The memo key: the current actor, the preemptions used, the memory and each actor's status,
 * history length and digest, as the bytes of 32-bit words (an exact encoding, and faster to build
 * than decimal text: a key is made for every state visited).
 */
function keyOf(state: State): string {
  const { memory, actors } = state;
  const words = new Int32Array(2 + memory.length + 4 * actors.length);
  words[0] = state.current;
  words[1] = state.preemptions;
  words.set(memory, 2);
  let at = 2 + memory.length;
  for (const actor of actors) {
    words[at++] = STATUS_CODE[actor.status];
    words[at++] = actor.history.length;
    words[at++] = actor.digest[0];
    words[at++] = actor.digest[1];
  }
  return Buffer.from(words.buffer).toString('latin1');
}

export function explore(model: Model, preemptionBound: number): Exploration {
  let initial: State = {
    memory: new Int32Array(model.memoryWords),
    actors: [
      { name: 'coordinator', body: model.coordinator, history: [], digest: [0, 0], status: 'ready' },
      ...Array.from({ length: model.workers }, (_, i) => ({
        name: `worker${i + 1}`,
        body: model.worker,
        history: [],
        digest: [0, 0] as const,
        status: 'ready' as Status,
      })),
    ],
    current: 0,
    preemptions: 0,
    trail: null,
  };
  for (let i = 0; i < initial.actors.length; i++) initial = resume(initial, i, false);
  const memo = new Map<string, number>();
  let violation: Exploration['violation'] = null;

  const visit = (state: State): number => {
    if (violation) return 0;
    const key = keyOf(state);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const choices = enabledActors(state);
    let paths = 0;
    if (choices.length === 0) {
      const stuck = state.actors.filter((a) => a.status === 'blocked' || a.status === 'ready');
      try {
        if (stuck.length > 0) throw new Violation(`deadlock: ${stuck.map((a) => a.name).join(', ')} never finish`);
        model.checkFinal?.(state.memory);
        paths = 1;
      } catch (error) {
        violation = { message: (error as Error).message, schedule: scheduleOf(state.trail) };
      }
    }
    const currentGoesOn = choices.includes(state.current);
    for (const i of choices) {
      const preempts = currentGoesOn && i !== state.current;
      if (preempts && state.preemptions >= preemptionBound) continue;
      let next: State;
      try {
        next = resume(state, i, true);
      } catch (error) {
        violation = { message: (error as Error).message, schedule: [...scheduleOf(state.trail), state.actors[i].name] };
        return 0;
      }
      const { name, history } = state.actors[i];
      paths += visit({
        ...next,
        current: i,
        preemptions: state.preemptions + (preempts ? 1 : 0),
        trail: { actor: name, call: history.length, before: state.trail },
      });
      if (violation) return 0;
    }
    memo.set(key, paths);
    return paths;
  };
  const interleavings = visit(initial);
  return { interleavings, states: memo.size, violation };
}

/** Throws a violation of an invariant from inside an actor. */
export function check(condition: boolean, message: string): void {
  if (!condition) throw new Violation(message);
}
