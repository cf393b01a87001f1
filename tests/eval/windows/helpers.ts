/** mulberry32: a tiny seeded uniform [0, 1) generator for tests (the run's PRNG is injected in production). */
export function seededRand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A codec with one token per UTF-16 unit (id = char code): exact control over ids in tests. */
export const charCodec = {
  encode: (text: string): Uint32Array => Uint32Array.from(text, (c) => c.charCodeAt(0)),
  decode: (ids: Uint32Array): string => String.fromCharCode(...ids),
};
