import { UserError } from '../errors.ts';

/** A command-line count (`--concurrent 4`): a whole number ≥ 1, or a UserError naming the flag. */
export function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new UserError(`✖ ${flag} must be a whole number ≥ 1, got "${text}" → at ${flag}`);
  return value;
}
