/**
 * Input bytes that can be read again from their file (IDX), straight into another array: the
 * trainer frees the loader's copy first and reads the bytes into its arena, so that the data is
 * never held twice, not even while it is copied (train.ts fillArena). Kept beside the data rather
 * than in it: a Dataset stays plain data.
 */
export type Reread = (into: Uint8Array) => Promise<void>;

const rereads = new WeakMap<Uint8Array, Reread>();

/** Records how to read `bytes` (this very array, not a copy or another view) again; returns them. */
export function rereadable(bytes: Uint8Array, reread: Reread): Uint8Array {
  rereads.set(bytes, reread);
  return bytes;
}

/** How to read `bytes` again, if a loader said so. */
export const rereadOf = (bytes: Uint8Array): Reread | undefined => rereads.get(bytes);
