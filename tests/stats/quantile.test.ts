import { describe, expect, it } from 'vitest';
import { quantile, quantileSorted, sortedCopy } from '../../src/stats/index.js';

describe('quantile', () => {
  it('interpolates linearly at q·(n − 1) (numpy linear / R type 7)', () => {
    const xs = [1, 2, 3, 4];
    // h = 0.25·3 = 0.75 → 1 + 0.75·(2 − 1)
    expect(quantile(xs, 0.25)).toBe(1.75);
    expect(quantile(xs, 0.5)).toBe(2.5);
    expect(quantile(xs, 0.9)).toBeCloseTo(3.7, 15);
    expect(quantile([10, 0, 5], 0.5)).toBe(5);
  });

  it('returns the extremes at q = 0 and q = 1 and clamps q outside [0, 1]', () => {
    const xs = [3, -1, 7, 2];
    expect(quantile(xs, 0)).toBe(-1);
    expect(quantile(xs, 1)).toBe(7);
    expect(quantile(xs, -0.5)).toBe(-1);
    expect(quantile(xs, 2)).toBe(7);
  });

  it('handles a single value and equal neighbours exactly', () => {
    expect(quantile([4.2], 0.37)).toBe(4.2);
    expect(quantileSorted([1, 1, 1, Infinity], 0.5)).toBe(1);
  });

  it('agrees with numpy.quantile on a fixed sample', () => {
    // numpy.quantile([0.3, -1.2, 4.4, 2.0, 0.0, 9.1, -3.3], [0.05, 0.5, 0.95, 0.99])
    const xs = [0.3, -1.2, 4.4, 2.0, 0.0, 9.1, -3.3];
    const expected = [-2.67, 0.3, 7.69, 8.818];
    [0.05, 0.5, 0.95, 0.99].forEach((q, i) => expect(quantile(xs, q)).toBeCloseTo(expected[i]!, 12));
  });

  it('does not modify its input', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('throws E_INTERNAL for an empty sample, a NaN level or a NaN value', () => {
    expect(() => quantile([], 0.5)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
    expect(() => quantile([1], Number.NaN)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
    expect(() => sortedCopy([1, Number.NaN])).toThrow(expect.objectContaining({ code: 'E_INTERNAL', details: { index: 1 } }));
  });
});
