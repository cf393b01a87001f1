const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalise(h: number, lengthBytes: number): number {
  h ^= lengthBytes;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) of `bytes` with a 32-bit seed, as an unsigned
 * integer. Matches the reference `MurmurHash3_x86_32` and Python's `mmh3.hash(data, seed, signed=False)`.
 * @see https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp
 */
export function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed | 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    h = mixH(h, (bytes[o] ?? 0) | ((bytes[o + 1] ?? 0) << 8) | ((bytes[o + 2] ?? 0) << 16) | ((bytes[o + 3] ?? 0) << 24));
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[tail + 2] ?? 0) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] ?? 0) << 8;
    k ^= bytes[tail] ?? 0;
    h ^= mixK(k);
  }
  return finalise(h, bytes.length);
}

/**
 * MurmurHash3 x86_32 of 32-bit words taken as their little-endian bytes (identical to
 * {@link murmur3Bytes} of those bytes), without building a byte array.
 */
export function murmur3Words(words: readonly number[], seed: number): number {
  let h = seed | 0;
  for (const w of words) h = mixH(h, w | 0);
  return finalise(h, words.length * 4);
}
