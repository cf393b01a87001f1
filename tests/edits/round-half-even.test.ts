import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '../../src/edits/index.js';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour in both signs', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, -4]);
  });

  it('rounds non-ties to the nearest integer', () => {
    expect([2.4999, 2.5001, -2.4999, -2.5001, 7, -7].map(roundHalfEven)).toEqual([2, 3, -2, -3, 7, -7]);
  });

  it('never moves a value by more than one half and lands on an integer', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const r = roundHalfEven(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
