import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSafetensors, safetensorsMetadata, SafetensorsError } from '../../src/io/safetensors.ts';

/**
 * Reading safetensors files (src/io/safetensors.ts) written here byte by byte: an 8-byte
 * little-endian header length, the JSON header, the raw little-endian F32 data. A damaged file is a
 * SafetensorsError saying what is wrong (the callers add the file's path).
 */
const s = suite('safetensors reader');

/** A file of `header` (a JSON value or raw text) followed by `data`. */
function file(header: unknown, data: number[] = [], headerLength?: number): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const bytes = Buffer.alloc(8 + json.length + 4 * data.length);
  bytes.writeBigUInt64LE(BigInt(headerLength ?? json.length), 0);
  json.copy(bytes, 8);
  data.forEach((x, i) => bytes.writeFloatLE(x, 8 + json.length + 4 * i));
  return bytes;
}

function messageOf(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes);
  } catch (error) {
    assert.instance(error, SafetensorsError);
    return (error as Error).message;
  }
  assert.unreachable('no error thrown');
  throw new Error('unreachable');
}

s('reads tensors and metadata from a file written by hand, its header not padded to 8 bytes', () => {
  const bytes = file(
    {
      __metadata__: { format: 'shardprop', epoch: '3' },
      b: { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
      w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    },
    [1, 2, 3, 4, 5, 6, -0.5, 0.25],
  );
  assert.is.not((bytes.length - 32) % 4, 0, 'the data starts at an offset no Float32Array can view');
  const { metadata, tensors } = parseSafetensors(bytes);
  assert.equal(metadata, { format: 'shardprop', epoch: '3' });
  assert.equal(tensors.w.shape, [2, 3]);
  assert.equal(Array.from(tensors.w.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(Array.from(tensors.b.data), [-0.5, 0.25]);
  assert.equal(safetensorsMetadata(bytes), { format: 'shardprop', epoch: '3' });
  assert.equal(safetensorsMetadata(file({})), {}, 'no __metadata__: empty');
  assert.is(parseSafetensors(file({})).metadata, null);
});

s('a file too short, or whose header length runs past its end', () => {
  assert.is(messageOf(new Uint8Array(5)), 'file shorter than its 8-byte header length');
  assert.is(messageOf(file({}, [], 1000)), 'header length exceeds the file');
});

s('a header that is not JSON, or not a JSON object', () => {
  assert.match(messageOf(file('{"w": ')), /^header is not valid JSON \(/);
  assert.is(messageOf(file([1, 2])), 'header is not a JSON object');
  assert.is(messageOf(file('null')), 'header is not a JSON object');
});

s('a tensor of another dtype, without a valid shape, or whose bytes do not fit', () => {
  const tensor = (entry: object) => messageOf(file({ w: entry }, [1, 2]));
  assert.is(tensor({ dtype: 'F16', shape: [2], data_offsets: [0, 4] }), 'w has dtype F16, only F32 is supported');
  assert.is(tensor({ dtype: 'F32', shape: [2.5], data_offsets: [0, 8] }), 'w has no valid shape');
  assert.is(tensor({ dtype: 'F32', shape: [-2], data_offsets: [0, 8] }), 'w has no valid shape');
  assert.is(tensor({ dtype: 'F32', data_offsets: [0, 8] }), 'w has no valid shape');
  assert.is(
    tensor({ dtype: 'F32', shape: [2], data_offsets: [4, 12] }),
    "w's data_offsets are not inside the file's 8 data bytes",
  );
  assert.is(tensor({ dtype: 'F32', shape: [2] }), "w's data_offsets are not inside the file's 8 data bytes");
  assert.is(tensor({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }), 'w has shape [3] (12 bytes) but 8 data bytes');
});

s.run();
