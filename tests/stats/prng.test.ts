import { describe, expect, it } from 'vitest';
import { Prng, createPrng, deriveSeed } from '../../src/stats/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

// Expected outputs come from an independent Python implementation of splitmix64 + xoshiro128**
// whose core reproduces the published reference vectors below.
describe('Prng', () => {
  it('reproduces the xoshiro128** reference outputs for state [1, 2, 3, 4]', () => {
    // Reference C code (prng.di.unimi.it) and the rand_xoshiro crate's test vector.
    const prng = Prng.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 10 }, () => prng.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('seeds through splitmix64 to the documented first outputs', () => {
    const first = (seed: number): number[] => {
      const prng = createPrng(seed);
      return Array.from({ length: 6 }, () => prng.nextUint32());
    };
    expect(first(0)).toEqual([3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774]);
    expect(first(42)).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222]);
    expect(first(4294967295)).toEqual([331202089, 2303545133, 2732085799, 1755962312, 20464611, 435992899]);
  });

  it('builds 53-bit floats from two outputs', () => {
    const prng = createPrng(42);
    expect([prng.nextFloat(), prng.nextFloat(), prng.nextFloat()]).toEqual([0.4137016681565887, 0.003983993377814743, 0.6500837027638867]);
  });

  it('draws bounded integers by rejection, matching the reference', () => {
    const prng = createPrng(7);
    expect(Array.from({ length: 5 }, () => prng.nextBelow(10))).toEqual([9, 4, 2, 0, 6]);
  });

  it('keeps nextBelow inside [0, n) for awkward bounds', () => {
    const prng = createPrng(3);
    const huge = 2 ** 31 + 1; // rejects almost half of all outputs
    for (let i = 0; i < 2000; i++) {
      const v = prng.nextBelow(huge);
      expect(Number.isInteger(v) && v >= 0 && v < huge).toBe(true);
    }
    expect(prng.nextBelow(1)).toBe(0);
    const full = prng.nextBelow(2 ** 32);
    expect(full >= 0 && full < 2 ** 32).toBe(true);
  });

  it('is uniform enough: chi-square of 100 000 draws over 16 cells and float moments', () => {
    const prng = createPrng(2024);
    const cells = new Array<number>(16).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) cells[prng.nextBelow(16)]! += 1;
    const expected = draws / 16;
    const chi2 = cells.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 15 degrees of freedom: P(chi2 > 37.7) = 0.001.
    expect(chi2).toBeLessThan(37.7);
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < draws; i++) {
      const u = prng.nextFloat();
      sum += u;
      sumSq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(Math.abs(sum / draws - 0.5)).toBeLessThan(0.005); // sd of the mean ≈ 0.0009
    expect(Math.abs(sumSq / draws - 1 / 3)).toBeLessThan(0.005);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('gives the same stream for the same seed and different streams for neighbouring seeds', () => {
    const a = createPrng(99);
    const b = createPrng(99);
    const c = createPrng(100);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('rejects seeds outside [0, 2^32) and an all-zero state with E_INTERNAL', () => {
    for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => createPrng(seed)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
    }
    expect(() => Prng.fromState([0, 0, 0, 0])).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
    expect(() => createPrng(1).nextBelow(0)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});

describe('deriveSeed', () => {
  it('adds the purpose offset modulo 2^32', () => {
    expect(deriveSeed(42, 0)).toBe(42);
    expect(deriveSeed(42, 2000)).toBe(2042);
    expect(deriveSeed(4294967295, 1000)).toBe(999);
  });

  it('rejects non-uint32 inputs', () => {
    try {
      deriveSeed(2 ** 32, 1);
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INTERNAL')).toBe(true);
    }
  });
});
