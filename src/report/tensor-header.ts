import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.ts';

/** Name → shape of every tensor in a safetensors file, in the header's order. */
export type TensorHeader = ReadonlyMap<string, readonly number[]>;

/** A header larger than this is not one shardprop wrote (its headers are a few hundred bytes per tensor). */
const MAX_HEADER_BYTES = 100 * 2 ** 20;

/**
 * Reads only the JSON header of a safetensors file (8-byte little-endian length, then the JSON):
 * the report needs the shapes, not the weights, and the weights of a big model are megabytes.
 */
export function readTensorHeader(path: string): TensorHeader {
  const fail = (why: string) => new UserError(`✖ model weights: ${why} → at ${path}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fail(`cannot open (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    const lengthBytes = Buffer.alloc(8);
    if (readSync(fd, lengthBytes, 0, 8, 0) < 8) throw fail('file shorter than its 8-byte header length');
    const length = Number(lengthBytes.readBigUInt64LE(0));
    if (length > MAX_HEADER_BYTES) throw fail(`header length ${length} is not plausible`);
    const headerBytes = Buffer.alloc(length);
    if (readSync(fd, headerBytes, 0, length, 8) < length) throw fail('header length exceeds the file');
    return parseHeader(headerBytes.toString('utf8'), fail);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(json: string, fail: (why: string) => UserError): TensorHeader {
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch (error) {
    throw fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header is not a JSON object');
  const shapes = new Map<string, readonly number[]>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const shape = (entry as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0))
      throw fail(`tensor ${name} has no valid shape`);
    shapes.set(name, shape as number[]);
  }
  return shapes;
}
