import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';

/**
 * node:util parseArgs with its errors turned into UserErrors (exit 2, no stack): a typo in a flag
 * is the user's mistake, not a bug.
 */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`✖ ${(error as Error).message}\n✖ usage: ${usage}`);
  }
}
