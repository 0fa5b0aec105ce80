/**
 * The safetensors format, so numpy and PyTorch users can load shardprop weights directly:
 * an 8-byte little-endian header length N, N bytes of JSON header mapping each tensor name to
 * { dtype, shape, data_offsets: [begin, end] } (offsets relative to the data section), then the
 * raw little-endian data. The header is padded with spaces to a multiple of 8 bytes.
 */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * How shardprop stores an affine layer: `layers.i.weight` is [in, out] and y = x·W + b, the
 * transpose of PyTorch's nn.Linear ([out, in], y = x·Wᵀ + b). `npm run export -- --format pytorch`
 * writes the other layout.
 */
export const SHARDPROP_LAYOUT = 'in,out';

/** The `__metadata__` of a run's model.safetensors: what wrote it, the weight layout, the epoch. */
export function weightsMetadata(epoch: number): Record<string, string> {
  // Not `format: "pt"`: that tells tools the tensors follow PyTorch's conventions, and ours do not.
  return { format: 'shardprop', layout: SHARDPROP_LAYOUT, epoch: String(epoch) };
}

/** A file that is not valid safetensors (or holds a dtype other than F32); the caller names the file. */
export class SafetensorsError extends Error {}

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    // Float32Array memory is little-endian on every platform Node runs on (x64, arm64).
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export interface SafetensorsContents {
  /** The header's `__metadata__` (string to string), or null when it has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly tensors: Record<string, NamedTensor>;
}

/**
 * Reads F32 tensors back, checking the structure: every tensor's bytes are inside the file and
 * match its shape. Throws SafetensorsError saying what is wrong.
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { header, dataStart } = readHeader(bytes);
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (dtype !== 'F32') throw new SafetensorsError(`${name} has dtype ${String(dtype)}, only F32 is supported`);
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new SafetensorsError(`${name} has no valid shape`);
    }
    const [begin, end] = Array.isArray(offsets) ? (offsets as number[]) : [];
    const bytesWanted = 4 * (shape as number[]).reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end > dataLength) {
      throw new SafetensorsError(`${name}'s data_offsets are not inside the file's ${dataLength} data bytes`);
    }
    if (end - begin !== bytesWanted) {
      throw new SafetensorsError(`${name} has shape [${shape}] (${bytesWanted} bytes) but ${end - begin} data bytes`);
    }
    // A copy at offset 0 (a Buffer's slice would be a view): a header not padded to 8 bytes leaves the
    // data unaligned for a Float32Array.
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    tensors[name] = { shape, data: new Float32Array(copy.buffer, copy.byteOffset, bytesWanted / 4) };
  }
  return { metadata, tensors };
}

/** Reads F32 tensors back (used by tests and by anyone resuming from a run's weights). */
export function decodeSafetensors(bytes: Uint8Array): Record<string, NamedTensor> {
  return parseSafetensors(bytes).tensors;
}

/** The `__metadata__` strings of a safetensors file (empty when it has none), without reading the tensors. */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return (readHeader(bytes).header.__metadata__ ?? {}) as Record<string, string>;
}

/** The JSON header and where the data section starts. */
function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw new SafetensorsError('file shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new SafetensorsError('header length exceeds the file');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8'));
  } catch (error) {
    throw new SafetensorsError(`header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + headerLength };
}
