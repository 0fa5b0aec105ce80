/** Shared by the data tests: IDX files made by hand, and the common helpers of test/support. */
import { userErrorOf as userError } from '../support/errors.ts';

export { tempDir, writeTemp } from '../support/temp.ts';

/** The message of the UserError `fn` throws or rejects with (see test/support/errors.ts). */
export async function userErrorOf(fn: () => unknown): Promise<string> {
  return (await userError(async () => fn())).message;
}

/** An IDX images file: magic 0x00000803, then count, rows, cols (big-endian), then the pixels. */
export function idxImages(count: number, rows: number, cols: number, pixels: ArrayLike<number>): Uint8Array {
  const header = new DataView(new ArrayBuffer(16));
  [0x803, count, rows, cols].forEach((value, i) => header.setUint32(4 * i, value));
  return Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(pixels)]);
}

/** An IDX labels file: magic 0x00000801, count, then the labels. */
export function idxLabels(labels: ArrayLike<number>): Uint8Array {
  const header = new DataView(new ArrayBuffer(8));
  header.setUint32(0, 0x801);
  header.setUint32(4, labels.length);
  return Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(labels)]);
}
