import { InvarlockError } from '../errors/index.js';

const UINT32_RANGE = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const MASK64 = (1n << 64n) - 1n;

/**
 * The seeded pseudo-random generator of invarlock: xoshiro128** 1.1 (Blackman and Vigna, 2018) over
 * four 32-bit words, seeded by two outputs of splitmix64 (Steele, Lea and Flood) started at the
 * seed. Every random choice of a run (window draw, MLM masks, bootstrap, variance) draws from one of
 * these, so a run is reproducible from its seeds in any language that implements the two published
 * algorithms; numpy parity is not a goal.
 *
 * Seeding: splitmix64 state = seed; output o1, then o2; the xoshiro state is
 * [low32(o1), high32(o1), low32(o2), high32(o2)] (never all zero: splitmix64 is a bijection).
 *
 * @see https://prng.di.unimi.it/xoshiro128starstar.c
 * @see https://prng.di.unimi.it/splitmix64.c
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed An integer in [0, 2^32); anything else throws `E_INTERNAL`. */
  constructor(seed: number) {
    assertSeed(seed);
    let state = BigInt(seed);
    const [o1, next] = splitmix64(state);
    state = next;
    const [o2] = splitmix64(state);
    this.s0 = Number(o1 & 0xffffffffn) | 0;
    this.s1 = Number(o1 >> 32n) | 0;
    this.s2 = Number(o2 & 0xffffffffn) | 0;
    this.s3 = Number(o2 >> 32n) | 0;
  }

  /**
   * A generator with the given xoshiro128** state words (not all zero), for checking the core
   * algorithm against its published reference outputs.
   * @internal
   */
  static fromState(words: readonly [number, number, number, number]): Prng {
    if (words.every((w) => (w | 0) === 0)) throw new InvarlockError('E_INTERNAL', 'xoshiro128** state must not be all zero');
    const prng = new Prng(0);
    prng.s0 = words[0] | 0;
    prng.s1 = words[1] | 0;
    prng.s2 = words[2] | 0;
    prng.s3 = words[3] | 0;
    return prng;
  }

  /** The next 32-bit output, an integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /**
   * A float in [0, 1) with 53 random bits, from two outputs: (a >>> 5)·2^26 + (b >>> 6), over 2^53
   * (the construction of numpy's and the xoshiro authors' double generators).
   */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /**
   * An integer uniform on [0, n), unbiased: outputs below (2^32 − n) mod n are rejected before
   * taking the remainder (the OpenBSD `arc4random_uniform` method). `n` is an integer in [1, 2^32].
   */
  nextBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > UINT32_RANGE) {
      throw new InvarlockError('E_INTERNAL', `nextBelow needs an integer bound in [1, 2^32], got ${n}`, { details: { actual: String(n) } });
    }
    const threshold = (UINT32_RANGE - n) % n;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % n;
    }
  }
}

/** A generator seeded with `seed` (an integer in [0, 2^32)); see {@link Prng}. */
export function createPrng(seed: number): Prng {
  return new Prng(seed);
}

/**
 * The seed of one purpose's stream: (runSeed + offset) mod 2^32. Offsets are fixed per purpose in
 * `contracts/tiers.json` (`seed_offsets`); splitmix64 seeding decorrelates neighbouring seeds, so
 * small offsets give independent streams. Both arguments are integers in [0, 2^32); otherwise
 * `E_INTERNAL`.
 */
export function deriveSeed(runSeed: number, offset: number): number {
  assertSeed(runSeed);
  assertSeed(offset);
  return (runSeed + offset) % UINT32_RANGE;
}

function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
    throw new InvarlockError('E_INTERNAL', `a seed must be an integer in [0, 2^32), got ${seed}`, { details: { actual: String(seed) } });
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function splitmix64(state: bigint): readonly [output: bigint, next: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [z ^ (z >> 31n), next];
}
