/** Exact one-sided binomial bounds of the calibration's rate tables (bench/calibration/binomial.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialCdf, lowerBound, upperBound } from '../../bench/calibration/index.js';

describe('binomial bounds', () => {
  it('gives the rule of three for no flagged run: 1 − 0.05^(1/n) ≈ 3/n', () => {
    for (const n of [10, 100, 300, 1000]) {
      expect(upperBound(0, n)).toBeCloseTo(1 - 0.05 ** (1 / n), 10);
      if (n >= 100) expect(Math.abs(upperBound(0, n) * n - 3)).toBeLessThan(0.05);
    }
  });

  it('gives 0.05^(1/n) as the lower bound when every run was flagged', () => {
    for (const n of [5, 50, 299]) expect(lowerBound(n, n)).toBeCloseTo(0.05 ** (1 / n), 10);
    expect(lowerBound(0, 10)).toBe(0);
    expect(upperBound(10, 10)).toBe(1);
  });

  it('matches known Clopper–Pearson values (k = 1, n = 100: upper 4.66 %, lower 0.0513 %)', () => {
    expect(upperBound(1, 100)).toBeCloseTo(0.04656, 4);
    expect(lowerBound(1, 100)).toBeCloseTo(0.000513, 5);
  });

  it('brackets the observed rate, and the bound sits where the tail probability is 5 %', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, frac) => {
        const k = Math.min(n, Math.floor(frac * (n + 1)));
        const hi = upperBound(k, n);
        const lo = lowerBound(k, n);
        expect(lo).toBeLessThanOrEqual(k / n + 1e-12);
        expect(hi).toBeGreaterThanOrEqual(k / n - 1e-12);
        if (k < n) expect(binomialCdf(k, n, hi)).toBeCloseTo(0.05, 6);
        if (k > 0) expect(1 - binomialCdf(k - 1, n, lo)).toBeCloseTo(0.05, 6);
      }),
      { numRuns: 200 },
    );
  });

  it('sums the binomial probabilities to 1 and handles the edges of p', () => {
    expect(binomialCdf(20, 20, 0.3)).toBe(1);
    expect(binomialCdf(-1, 20, 0.3)).toBe(0);
    expect(binomialCdf(0, 20, 0)).toBe(1);
    expect(binomialCdf(19, 20, 1)).toBe(0);
    expect(binomialCdf(19, 20, 0.3)).toBeCloseTo(1 - 0.3 ** 20, 12);
  });
});
