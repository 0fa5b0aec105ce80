import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.ts';

/**
 * The UserError that `action` throws or rejects with (a function, sync or async, or a promise);
 * fails the test if there is none, or if the error is of another kind (a bug, not the user's mistake).
 */
export function userErrorOf(action: () => Promise<unknown>): Promise<UserError>;
export function userErrorOf(action: Promise<unknown>): Promise<UserError>;
export function userErrorOf(action: () => unknown): UserError;
export function userErrorOf(action: (() => unknown) | Promise<unknown>): UserError | Promise<UserError> {
  if (typeof action !== 'function') return action.then(() => none('the promise resolved'), expectUserError);
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    return expectUserError(error);
  }
  if (result instanceof Promise) return result.then(() => none('the promise resolved'), expectUserError);
  return none('nothing was thrown');
}

function expectUserError(error: unknown): UserError {
  assert.instance(error, UserError, `expected a UserError, got ${(error as Error)?.stack ?? String(error)}`);
  return error as UserError;
}

function none(what: string): never {
  assert.unreachable(`expected a UserError, ${what}`);
  throw new Error('unreachable');
}
