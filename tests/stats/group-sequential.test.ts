import { describe, expect, it } from 'vitest';
import {
  decideInterimLook,
  finalLookAlpha,
  lookSizes,
  lookStatistic,
  normalCdf,
  obrienFlemingSpending,
  sequentialBoundaries,
  windowsToResolve,
} from '../../src/stats/index.js';

const equal = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

describe('obrienFlemingSpending', () => {
  it('spends all of alpha at t = 1 and almost nothing early', () => {
    expect(obrienFlemingSpending(1, 0.025)).toBeCloseTo(0.025, 15);
    // 2 − 2Φ(2.2414/√0.25) = 2 − 2Φ(4.4828)
    expect(obrienFlemingSpending(0.25, 0.025)).toBeCloseTo(7.367e-6, 8);
    expect(obrienFlemingSpending(0.5, 0.025)).toBeCloseTo(1.525e-3, 6);
  });
  it('increases in t', () => {
    const values = [0.1, 0.3, 0.5, 0.7, 0.9, 1].map((t) => obrienFlemingSpending(t, 0.05));
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
  });
  it('refuses a fraction or alpha out of range', () => {
    expect(() => obrienFlemingSpending(0, 0.025)).toThrow(/information fraction/);
    expect(() => obrienFlemingSpending(1.1, 0.025)).toThrow(/information fraction/);
    expect(() => obrienFlemingSpending(0.5, 0.6)).toThrow(/one-sided alpha/);
  });
});

describe('sequentialBoundaries', () => {
  // Jennison & Turnbull (2000) table 7.6 / gsDesign: Lan–DeMets O'Brien–Fleming spending, one-sided 0.025.
  it.each([
    [2, [2.963, 1.969]],
    [3, [3.71, 2.511, 1.993]],
    [4, [4.333, 2.963, 2.359, 2.014]],
    [5, [4.877, 3.357, 2.68, 2.29, 2.031]],
  ])('K = %i equal looks at one-sided 0.025 gives the published critical values', (k, expected) => {
    const b = sequentialBoundaries(equal(k), 0.025);
    b.critical.forEach((c, i) => expect(c).toBeCloseTo(expected[i]!, 2));
    expect(b.spent[k - 1]).toBeCloseTo(0.025, 12);
  });
  it('differs from Pocock-type constant boundaries: O’Brien–Fleming starts high and ends near the fixed-sample value', () => {
    const c = sequentialBoundaries(equal(4), 0.025).critical;
    // Pocock's K = 4 constant is 2.361 at every look; OBF is far above it first and below it last
    expect(c[0]!).toBeGreaterThan(4);
    expect(c[3]!).toBeLessThan(2.361);
    expect(c[3]!).toBeGreaterThan(1.96);
  });
  it('a single look is the fixed-sample test', () => {
    expect(sequentialBoundaries([1], 0.025).critical[0]).toBeCloseTo(1.959964, 6);
  });
  it('handles unequal fractions and is deterministic', () => {
    const a = sequentialBoundaries([0.3, 0.55, 1], 0.025);
    const b = sequentialBoundaries([0.3, 0.55, 1], 0.025);
    expect(a).toEqual(b);
    expect(a.critical[0]).toBeCloseTo(normalQuantile1(1 - obrienFlemingSpending(0.3, 0.025)), 10);
  });
  it('refuses fractions that do not increase within (0, 1]', () => {
    expect(() => sequentialBoundaries([0.5, 0.5, 1], 0.025)).toThrow(/increase/);
    expect(() => sequentialBoundaries([], 0.025)).toThrow(/increase/);
  });
  it('the last look’s two-sided level leaves the fixed-sample one only slightly', () => {
    const alpha = finalLookAlpha(sequentialBoundaries(equal(4), 0.025));
    expect(alpha).toBeCloseTo(2 * (1 - normalCdf(2.0141)), 3);
    expect(alpha).toBeLessThan(0.05);
    expect(alpha).toBeGreaterThan(0.04);
  });
});

function normalQuantile1(p: number): number {
  // bisection on Φ, independent of the module's quantile
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('lookSizes', () => {
  it('ends every look at ⌈k·n/K⌉ windows', () => {
    expect(lookSizes(192, 4)).toEqual([48, 96, 144, 192]);
    expect(lookSizes(200, 3)).toEqual([67, 134, 200]);
  });
  it('refuses too few windows or looks', () => {
    expect(() => lookSizes(7, 4)).toThrow(/at least 8/);
    expect(() => lookSizes(100, 1)).toThrow(/looks must be/);
    expect(() => lookSizes(100, 11)).toThrow(/looks must be/);
  });
});

describe('lookStatistic and decideInterimLook', () => {
  it('computes the weighted mean and its standard error on a prefix', () => {
    const s = lookStatistic([1, 3, 100], [1, 3, 1], 2);
    expect(s.estimate).toBe(2.5);
    // Σw(δ − θ̂)² / Σw = (2.25 + 3·0.25)/4 = 0.75; over n − 1 = 1
    expect(s.standardError).toBeCloseTo(Math.sqrt(0.75), 15);
  });
  it('passes when the upper bound is at or below the bound, fails when the lower bound is above', () => {
    const bound = Math.log(1.102);
    expect(decideInterimLook({ windows: 10, estimate: 0.01, standardError: 0.01 }, 3, bound).decision).toBe('pass');
    expect(decideInterimLook({ windows: 10, estimate: 0.3, standardError: 0.01 }, 3, bound).decision).toBe('fail');
    expect(decideInterimLook({ windows: 10, estimate: bound, standardError: 0.01 }, 3, bound).decision).toBe('continue');
    expect(decideInterimLook({ windows: 10, estimate: bound, standardError: 0 }, 3, bound).decision).toBe('pass');
  });
  it('refuses a look of fewer than 2 windows', () => {
    expect(() => lookStatistic([1, 2], [1, 1], 1)).toThrow(/2 to 2 windows/);
  });
});

describe('windowsToResolve', () => {
  it('is ⌈(z·sd/gap)²⌉', () => {
    expect(windowsToResolve(0.05, 0.01, 1.96)).toBe(Math.ceil((1.96 * 5) ** 2));
    expect(windowsToResolve(0.05, 0, 1.96)).toBe(Infinity);
    expect(windowsToResolve(0, 0.01, 1.96)).toBe(2);
  });
});
