/**
 * Rows from an IDX images file (MNIST's format, raw or gzipped), streamed: the big-endian header
 * 0x00000803, count, rows, cols, then count × rows × cols pixel bytes, each pixel a raw value
 * (0–255) for the model's preprocessing. Labels, when wanted, come from an IDX labels file
 * (0x00000801, count, then count bytes). Sizes must match the headers exactly.
 */
import { UserError } from '../../errors.ts';
import { BlockBuilder, type InputBlock, type ReadOptions } from './blocks.ts';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, openBytes, type OpenedInput } from './open.ts';

export async function* readIdxBlocks(input: OpenedInput, options: ReadOptions): AsyncGenerator<InputBlock> {
  const { path } = input;
  const labels = options.labelsFile ? await readIdxLabels(options.labelsFile) : null;
  if (options.labels === 'required' && !labels) {
    throw new UserError(
      `✖ IDX images carry no labels: evaluating needs --labels FILE (an IDX labels file) → at ${path}`,
    );
  }
  const bytes = byteReader(input.chunks);
  try {
    yield* imageBlocks(bytes, path, options, labels);
  } finally {
    await bytes.close();
  }
}

async function* imageBlocks(
  bytes: ByteReader,
  path: string,
  options: ReadOptions,
  labels: Uint8Array | null,
): AsyncGenerator<InputBlock> {
  const header = await bytes.take(16);
  if (header.length < 16)
    throw new UserError(`✖ ${header.length} bytes is too short for an IDX images header → at ${path}`);
  const view = new DataView(header.buffer, header.byteOffset, 16);
  if (view.getUint32(0) !== IDX_IMAGES_MAGIC) throw new UserError(`✖ not an IDX images file → at ${path}`);
  const [count, rows, cols] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  checkImageShape(rows, cols, options.shape, path);
  if (rows * cols !== options.features) {
    throw new UserError(
      `✖ images of ${rows}×${cols} = ${rows * cols} pixels; the model takes ${options.features} features → at ${path}`,
    );
  }
  if (labels && labels.length !== count) {
    throw new UserError(`✖ ${count} images but ${labels.length} labels in ${options.labelsFile} → at ${path}`);
  }
  const where = (i: number) => `${path} (sample index ${i})`;
  const builder = new BlockBuilder(options, where, labels !== null);
  for (let i = 0; i < count; i++) {
    const pixels = await bytes.take(options.features);
    if (pixels.length < options.features) {
      throw new UserError(
        `✖ truncated: the header promises ${count} images of ${rows}×${cols}, the data ends in image ${i} → at ${path}`,
      );
    }
    const row = builder.row();
    for (let j = 0; j < pixels.length; j++) row[j] = pixels[j];
    const block = builder.commit(i, labels ? labels[i] : undefined);
    if (block) yield block;
  }
  if ((await bytes.take(1)).length > 0) {
    throw new UserError(`✖ has extra bytes after the ${count} images its header promises → at ${path}`);
  }
  const last = builder.flush();
  if (last) yield last;
}

/**
 * A model of images takes one height and width: 10×12 images are not 12×10 ones, though their
 * pixel counts agree (training refuses such a test file too). IDX images have one channel.
 */
function checkImageShape(rows: number, cols: number, shape: readonly number[] | undefined, path: string): void {
  if (shape?.length !== 3) return;
  const [channels, height, width] = shape;
  if (channels === 1 && height === rows && width === cols) return;
  const takes =
    channels === 1 ? `${height}×${width} images` : `[${shape.join(', ')}] images (IDX images have 1 channel)`;
  throw new UserError(`✖ images of ${rows}×${cols}; the model takes ${takes} → at ${path}`);
}

/** The labels of an IDX labels file (raw or gzipped). */
export async function readIdxLabels(path: string): Promise<Uint8Array> {
  const bytes = byteReader((await openBytes(path)).chunks);
  try {
    return await labelsFrom(bytes, path);
  } finally {
    await bytes.close();
  }
}

async function labelsFrom(bytes: ByteReader, path: string): Promise<Uint8Array> {
  const header = await bytes.take(8);
  const magic = header.length >= 4 ? header.readUInt32BE(0) : -1;
  if (header.length < 8 || magic !== IDX_LABELS_MAGIC) throw new UserError(`✖ not an IDX labels file → at ${path}`);
  const count = header.readUInt32BE(4);
  const labels = await bytes.take(count);
  if (labels.length < count || (await bytes.take(1)).length > 0) {
    const held = labels.length < count ? labels.length : 'more';
    throw new UserError(`✖ the header promises ${count} labels but the data holds ${held} → at ${path}`);
  }
  return labels;
}

type ByteReader = ReturnType<typeof byteReader>;

/** Reads exactly n bytes at a time from a stream of chunks (fewer only at the end). */
function byteReader(chunks: AsyncIterable<Buffer>) {
  const iterator = chunks[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  return {
    async take(n: number): Promise<Buffer> {
      while (pending.length < n) {
        const next = await iterator.next();
        if (next.done) break;
        pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value]);
      }
      const out = pending.subarray(0, n);
      pending = pending.subarray(out.length);
      return out;
    },
    /** Stops reading (closes the file). */
    async close(): Promise<void> {
      await iterator.return?.();
    },
  };
}
