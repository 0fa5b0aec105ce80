import { formatIssues, readJsonFile } from '../io/json-file.ts';
import { UserError } from '../errors.ts';
import { graphSpecSchema, type GraphSpec } from './spec.ts';

/**
 * Validates a graph spec; every problem becomes a `✖ message → at path` line of a UserError.
 * Field-level issues (an unknown op, a missing field) come from zod without knowing the node;
 * we prefix those with the node's name so each line says which node is at fault.
 */
export function parseGraphSpec(input: unknown): GraphSpec {
  const result = graphSpecSchema.safeParse(input);
  if (result.success) return result.data;
  // Our own checks (code 'custom') already name the node.
  const nodeName = (issue: { code: string; path: readonly PropertyKey[] }): string => {
    const [field, index] = issue.path;
    if (issue.code === 'custom' || field !== 'nodes' || typeof index !== 'number') return '';
    const name = (input as { nodes: Array<{ name?: unknown } | null> }).nodes[index]?.name;
    return typeof name === 'string' ? `node "${name}": ` : `node ${index}: `;
  };
  throw new UserError(formatIssues(result.error.issues, nodeName));
}

/** Reads a graph spec file: missing file, invalid JSON and a bad spec are all UserErrors (exit 2). */
export function loadGraphSpec(path: string): GraphSpec {
  return parseGraphSpec(readJsonFile(path));
}
