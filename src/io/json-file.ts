import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.ts';

/**
 * Reading a user's JSON file (a run config, a graph spec, a gradcheck subject). Every problem is a UserError (exit 2,
 * no stack) whose
 * lines read `✖ message → at path`: one line per issue, so `runCommand` prints them unchanged.
 */

/** Reads and parses a JSON file, naming the file (`what` it is, and its path) in every error. */
export function readJsonFile(path: string, what = 'file'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `✖ ${what} not found → at ${path}` : `✖ cannot read the ${what} (${code}) → at ${path}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`✖ ${what} is not valid JSON: ${(error as Error).message} → at ${path}`);
  }
  // The code that walks these values recurses: a hostile nesting would overflow its stack.
  const depth = nestingDepth(value);
  if (depth > MAX_DEPTH) throw new UserError(`✖ ${what} nests ${depth} levels deep; at most ${MAX_DEPTH} → at ${path}`);
  return value;
}

const MAX_DEPTH = 64;

/** How deeply arrays and objects nest in `value`, found without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** One `✖ message → at path` line per zod issue (the line form of z.prettifyError). */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: (issue: z.core.$ZodIssue) => string = () => '',
): string {
  return issues
    .map((issue) => {
      const path = issue.path.length ? ` → at ${z.core.toDotPath(issue.path)}` : '';
      return `✖ ${prefix(issue)}${issue.message}${path}`;
    })
    .join('\n');
}
