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

interface State {
  readonly memory: Int32Array;
  readonly actors: readonly ActorState[];
  readonly current: number;
  readonly preemptions: number;
  readonly schedule: readonly string[];
}

const PAUSE = Symbol('pause');
class Violation extends Error {}

/** Runs `actor` from its start, replaying its history, then performs one more access (when `advance`). */
function resume(state: State, index: number, advance: boolean): State {
  const memory = state.memory.slice();
  let actors = state.actors.slice();
  const actor = actors[index];
  const history = actor.history.slice();
  let digest = actor.digest;
  let calls = 0;
  let status: Status = 'ready';
  let blockedOn: readonly [number, number] | undefined;
  let timed = false;
  let restart: number | null = null;

  const access = (perform: () => number, wait?: readonly [number, number], withTimeout = false): number => {
    const call = calls++;
    if (call < actor.history.length) return actor.history[call];
    if (!advance || call > actor.history.length) {
      if (wait && memory[wait[0]] === wait[1]) {
        status = 'blocked';
        blockedOn = wait;
        timed = withTimeout;
      }
      throw PAUSE;
    }
    const result = perform();
    history.push(result);
    digest = [Math.imul(digest[0] ^ result, 16777619), Math.imul(digest[1] + result, 2246822519) ^ call];
    return result;
  };
  const words: ControlWords = {
    load: (slot) => access(() => memory[slot]),
    store: (slot, value) => void access(() => ((memory[slot] = value), 0)),
    compareExchange: (slot, expected, replacement) =>
      access(() => {
        const found = memory[slot];
        if (found === expected) memory[slot] = replacement;
        return found;
      }),
    notify: (slot) => void access(() => slot),
    wait: (slot, value) => void access(() => 0, [slot, value]),
  };
  const env: ActorEnvironment = {
    restartWorkers: (count) => void access(() => ((restart = count), 0)),
    timedWait: (slot, value) => void access(() => 0, [slot, value], true),
  };
  try {
    actor.body(words, env);
    status = 'done';
  } catch (error) {
    if (error !== PAUSE) throw new Violation(`${actor.name}: ${(error as Error).message}`);
  }
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

function keyOf(state: State): string {
  const actors = state.actors.map((a) => `${a.status}:${a.history.length}:${a.digest[0]}:${a.digest[1]}`).join('|');
  return `${state.current}/${state.preemptions}/${state.memory.join(',')}/${actors}`;
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
    schedule: [],
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
        violation = { message: (error as Error).message, schedule: [...state.schedule] };
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
        violation = { message: (error as Error).message, schedule: [...state.schedule, state.actors[i].name] };
        return 0;
      }
      const step = `${state.actors[i].name}#${state.actors[i].history.length}`;
      paths += visit({
        ...next,
        current: i,
        preemptions: state.preemptions + (preempts ? 1 : 0),
        schedule: [...state.schedule, step],
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
