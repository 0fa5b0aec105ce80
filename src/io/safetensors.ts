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

/** Reads F32 tensors back (used by tests and by anyone resuming from a run's weights). */
export function decodeSafetensors(bytes: Uint8Array): Record<string, NamedTensor> {
  if (bytes.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new Error('safetensors: header length exceeds the file');
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const dataStart = 8 + headerLength;
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`safetensors: ${name} has dtype ${entry.dtype}, only F32 is supported`);
    const [begin, end] = entry.data_offsets;
    const copy = bytes.slice(dataStart + begin, dataStart + end);
    tensors[name] = { shape: entry.shape, data: new Float32Array(copy.buffer, copy.byteOffset, (end - begin) / 4) };
  }
  return tensors;
}

/** The `__metadata__` strings of a safetensors file (empty when it has none). */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  if (bytes.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new Error('safetensors: header length exceeds the file');
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8'));
  return (header.__metadata__ ?? {}) as Record<string, string>;
}
