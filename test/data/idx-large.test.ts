/**
 * IDX files bigger than what Node reads whole (2 GiB per file read, 4 GiB per buffer): only the
 * header and the rows used are read. Sparse files and gzip streams of repeated members stand in
 * for the multi-gigabyte files, so nothing big is written to disk.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { floatInputs } from '../../src/data/inputs.ts';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/load.ts';
import { dataConfigSchema } from '../../src/data/schema.ts';
import { train } from '../../src/train/train.ts';
import { createRng, permutation, STREAM } from '../../src/random.ts';
import { idxImages, idxLabels, tempDir, userErrorOf, writeTemp } from './helpers.ts';

const s = suite('idx files larger than memory allows');
const dir = tempDir();
const load = (input: object, seed = 1, maxBytes?: number) =>
  loadDataset(dataConfigSchema.parse({ source: 'idx', ...input }), seed, { maxBytes });

/** A raw IDX images file of `count` 2×2... images, sparse: only `rows` are written, the rest are holes. */
function sparseImages(name: string, count: number, side: number, rows: Map<number, number[]>): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  writeSync(fd, idxImages(count, side, side, []));
  for (const [row, pixels] of rows) writeSync(fd, Uint8Array.from(pixels), 0, pixels.length, 16 + row * side * side);
  ftruncateSync(fd, 16 + count * side * side);
  closeSync(fd);
  return path;
}

// 2^31 / 784 rows of 28×28: a file of just over 2 GiB, Node's limit for reading a file whole.
const BIG = Math.ceil(2 ** 31 / 784) + 1;
const pixelsOf = (row: number): number[] => Array.from({ length: 784 }, (_, j) => (row * 7 + j) % 256);
const bigLabels = writeTemp(dir, 'big-labels.idx', idxLabels(Uint8Array.from({ length: BIG }, (_, i) => i % 10)));

s('reads 100 rows of a raw images file over 2 GiB, with test files', async () => {
  const images = sparseImages('big.idx', BIG, 28, new Map([0, 1, 99, 100].map((r) => [r, pixelsOf(r)])));
  const small = writeTemp(dir, 'small.idx', idxImages(1, 28, 28, pixelsOf(5)));
  const smallLabels = writeTemp(dir, 'small-labels.idx', idxLabels([3]));
  const config = {
    images,
    labels: bigLabels,
    testImages: small,
    testLabels: smallLabels,
    train: 100,
    normalize: false,
  };
  const data = await load(config);
  assert.is(data.train.count, 100);
  assert.equal(Array.from(floatInputs(data.train.inputs).subarray(0, 784)), pixelsOf(0));
  assert.equal(Array.from(floatInputs(data.train.inputs).subarray(99 * 784)), pixelsOf(99));
  assert.equal(Array.from(floatInputs(data.train.inputs).subarray(2 * 784, 3 * 784)), new Array(784).fill(0)); // a hole
  assert.equal(Array.from(floatInputs(data.test?.inputs ?? new Float32Array(0))), pixelsOf(5));
  assert.equal(Array.from(data.train.targets.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
});

s('holds out seeded rows of a raw file over 2 GiB, reading only those rows', async () => {
  // The split takes permutation(count, STREAM.split) of the seed: write exactly the rows it picks.
  const seed = 5;
  const order = permutation(BIG, createRng(seed, STREAM.split)).subarray(0, 30);
  const images = sparseImages('big-split.idx', BIG, 28, new Map(Array.from(order, (r) => [r, pixelsOf(r)])));
  const data = await load({ images, labels: bigLabels, train: 20, test: 10, normalize: false }, seed);
  const rows = [...order];
  assert.equal(Array.from(floatInputs(data.train.inputs)), rows.slice(0, 20).flatMap(pixelsOf));
  assert.equal(Array.from(floatInputs(data.test?.inputs ?? new Float32Array(0))), rows.slice(20).flatMap(pixelsOf));
  assert.equal(
    Array.from(data.train.targets),
    rows.slice(0, 20).map((r) => r % 10),
  );
});

/** Gzip of `content` repeated as members: gunzip reads concatenated members as one stream. */
const members = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts.map((part) => gzipSync(part)));

s('inflates a gzip file only as far as the rows used: corrupt data after them is never read', async () => {
  // Members: the header and 2 rows of 7s; 2 MiB of random rows (incompressible, so the inflater
  // cannot have reached the next member when the 2 rows are in); 16 rows of zeros, corrupted.
  const side = 32;
  const noise = Uint8Array.from({ length: 2048 * side * side }, (_, i) => (i * 2654435761) >>> 24);
  const tail = gzipSync(new Uint8Array(16 * side * side));
  for (let i = 10; i < tail.length - 8; i++) tail[i] ^= 0x5a;
  const head = idxImages(2 + 2048 + 16, side, side, new Array(2 * side * side).fill(7));
  const images = writeTemp(dir, 'corrupt-tail.idx.gz', Buffer.concat([members(head, noise), tail]));
  const labels = writeTemp(dir, 'corrupt-tail-labels.idx', idxLabels(new Uint8Array(2 + 2048 + 16)));
  assert.match(await userErrorOf(() => load({ images, labels, classes: 2 })), `${images}: bad gzip data`);
  const data = await load({ images, labels, train: 2, normalize: false, classes: 2 });
  assert.equal(Array.from(floatInputs(data.train.inputs)), new Array(2 * side * side).fill(7));
});

s(
  'a gzip file inflating past 4 GiB loads the rows asked for; all of them is refused as too big, not bad gzip',
  async () => {
    // 4.5 GiB of zeros in 1 MiB members (~1 KB each): a ~5 MB file.
    const side = 32;
    const count = Math.ceil((4.5 * 2 ** 30) / (side * side));
    const zeros = gzipSync(new Uint8Array(2 ** 20));
    const parts = [gzipSync(idxImages(count, side, side, new Array(side * side * 2).fill(7)))];
    const body = (count * side * side) / 2 ** 20;
    const images = join(dir, 'huge.idx.gz');
    const fd = openSync(images, 'w');
    for (const part of parts) writeSync(fd, part);
    for (let i = 0; i < body; i++) writeSync(fd, zeros);
    closeSync(fd);
    const labels = writeTemp(dir, 'huge-labels.idx.gz', members(idxLabels(new Uint8Array(count))));
    const data = await load({ images, labels, train: 3, normalize: false, classes: 2 });
    assert.equal(
      Array.from(floatInputs(data.train.inputs).subarray(0, 2 * side * side)),
      new Array(2 * side * side).fill(7),
    );
    assert.equal(Array.from(floatInputs(data.train.inputs).subarray(2 * side * side)), new Array(side * side).fill(0));
    const message = await userErrorOf(() => load({ images, labels }));
    // Stored as bytes: count × (1024 pixels + a float32 target + a uint32 order entry) bytes.
    const gib = ((count * (1024 + 8)) / 2 ** 30).toFixed(1);
    assert.match(message, `data ${images}: ${count} rows of 1024 features need ${gib} GiB of shared memory as bytes`);
    assert.match(message, '→ at data.train');
    assert.not.match(message, 'gzip');
  },
);

s('refuses data that cannot fit from the header, naming the data and what to change', async () => {
  const pixels = Array.from({ length: 10 * 4 }, (_, i) => i);
  const images = writeTemp(dir, 'ten.idx', idxImages(10, 2, 2, pixels));
  const labels = writeTemp(dir, 'ten-labels.idx', idxLabels([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]));
  // Pixels as bytes: 10 rows × (4 pixels + 4 bytes of target + 4 of order) = 120 bytes; 8 rows fit in 100.
  const message = await userErrorOf(() => load({ images, labels }, 1, 100));
  assert.match(message, `data ${images}: 10 rows of 4 features need 120 bytes of shared memory as bytes`);
  assert.match(message, 'more than the 100 bytes a run can hold: use at most 8 rows in all (data.train)');
  assert.match(message, '→ at data.train');
  assert.is((await load({ images, labels, train: 8 }, 1, 100)).train.count, 8);
  // Standardized pixels are float32: 10 rows × (4 features + target + order) × 4 bytes = 240; 6 rows fit in 150.
  const floats = await userErrorOf(() => load({ images, labels, normalize: 'standardize' }, 1, 150));
  assert.match(floats, `data ${images}: 10 rows of 4 features need 240 bytes of shared memory as float32`);
  assert.match(floats, 'use at most 6 rows in all (data.train)');
  assert.is((await load({ images, labels, train: 6, normalize: 'standardize' }, 1, 150)).train.count, 6);
});

s('a 5.5M-row file too big for the arena fails at once in train(), blaming the data, not the model', async () => {
  const images = sparseImages('million.idx', 5_500_000, 28, new Map());
  const labels = writeTemp(dir, 'million-labels.idx', idxLabels(new Uint8Array(5_500_000)));
  const config = {
    data: { source: 'idx' as const, images, labels },
    model: { layers: [{ type: 'affine' as const, units: 10 }] },
    train: { epochs: 1 },
  };
  const message = await userErrorOf(() => train(config, { write: false, workers: 1 }));
  // 5.5M × (784 pixel bytes + 8) bytes = 4.06 GiB: over the 4 GiB arena even as bytes.
  assert.match(message, `data ${images}: 5500000 rows of 784 features need 4.1 GiB of shared memory as bytes`);
  assert.match(message, '→ at data.train');
  assert.not.match(message, 'model.layers');
});

s.run();
