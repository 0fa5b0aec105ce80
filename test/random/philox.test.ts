import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { philox4x32 } from '../../src/random/philox.ts';

const s = suite('Philox4x32-10 against the known answers of its authors');

const hex = (words: Uint32Array) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');

// Random123's kat_vectors (Salmon et al.), lines "philox4x32 10 <counter ×4> <key ×2> <output ×4>".
const KNOWN: Array<[number[], number[], string]> = [
  [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
];

for (const [counter, key, expected] of KNOWN) {
  s(`counter ${hex(Uint32Array.from(counter))}, key ${hex(Uint32Array.from(key))}`, () => {
    const [c0, c1, c2, c3] = counter;
    assert.is(hex(philox4x32(c0, c1, c2, c3, key[0], key[1], new Uint32Array(4))), expected);
  });
}

s('a counter or key given as a negative int32 (−1) means the same bits as 0xffffffff', () => {
  assert.is(hex(philox4x32(-1, -1, -1, -1, -1, -1, new Uint32Array(4))), KNOWN[1][2]);
});

s('a pure function: the same input gives the same words, one changed counter bit changes about half', () => {
  const a = philox4x32(5, 6, 7, 8, 9, 10, new Uint32Array(4));
  const again = philox4x32(5, 6, 7, 8, 9, 10, new Uint32Array(4));
  assert.equal(Array.from(a), Array.from(again));
  const b = philox4x32(5, 6, 7, 9, 9, 10, new Uint32Array(4));
  let flipped = 0;
  for (let i = 0; i < 4; i++) for (let x = a[i] ^ b[i]; x; x &= x - 1) flipped++;
  assert.ok(flipped > 40 && flipped < 88, `${flipped} of 128 bits flipped`);
});

s.run();
