import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3Bytes, murmur3Words } from '../../../src/eval/windows/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3', () => {
  it('matches the reference MurmurHash3_x86_32 vectors', () => {
    expect(murmur3Bytes(utf8(''), 0)).toBe(0);
    expect(murmur3Bytes(utf8(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(utf8(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Bytes(new Uint8Array([0, 0, 0, 0]), 0)).toBe(0x2362f9de);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0x5082edee)).toBe(0x2362f9de);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65]), 0)).toBe(0x7e4a8634);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43]), 0)).toBe(0xa0f7b07a);
    expect(murmur3Bytes(new Uint8Array([0x21]), 0)).toBe(0x72661cf4);
    expect(murmur3Bytes(utf8('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3Bytes(utf8('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes words exactly like their little-endian bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 12 }), fc.integer({ min: 0, max: 0xffffffff }), (words, seed) => {
        const buf = Buffer.alloc(words.length * 4);
        words.forEach((w, i) => buf.writeUInt32LE(w, i * 4));
        expect(murmur3Words(words, seed)).toBe(murmur3Bytes(new Uint8Array(buf), seed));
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
