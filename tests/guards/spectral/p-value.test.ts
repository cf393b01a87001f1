import { describe, expect, it } from 'vitest';
import { erfc } from '../../../src/stats/index.js';
import { twoSidedPValue } from '../../../src/guards/index.js';

describe('erfc', () => {
  it('matches reference values to 1e-14 relative across the series and continued-fraction branches', () => {
    const reference: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [1.9999, 0.004679802092970608],
      [2, 0.004677734981047265],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [10, 2.088487583762545e-45],
      [-1, 1.8427007929497148],
    ];
    for (const [x, value] of reference) expect(Math.abs(erfc(x) - value) / value).toBeLessThan(1e-13);
  });

  it('gives the two-sided normal p-value: 1 at z = 0, 0.05 at z = 1.959964, symmetric in z', () => {
    expect(twoSidedPValue(0)).toBe(1);
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedPValue(-2.5)).toBe(twoSidedPValue(2.5));
    expect(twoSidedPValue(Infinity)).toBe(0);
  });
});
