import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '../../src/stats/index.js';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 1e15 + 0.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, 1e15]);
  });

  it('rounds non-ties to the nearest integer', () => {
    expect([0.49999999999999994, 0.5000000000000001, 2.4, 2.6, -2.4, -2.6, 7].map(roundHalfEven)).toEqual([0, 1, 2, 3, -2, -3, 7]);
  });

  it('differs from Math.round exactly on positive odd-floor and negative ties', () => {
    expect(Math.round(2.5)).toBe(3);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(Math.round(-3.5)).toBe(-3);
    expect(roundHalfEven(-3.5)).toBe(-4);
  });

  it('keeps the sign of a zero result, as IEEE rounding (and numpy rint) does', () => {
    expect(Object.is(roundHalfEven(-0.3), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0), -0)).toBe(true);
    expect(Object.is(roundHalfEven(0.3), 0)).toBe(true);
  });

  it('leaves huge integers, NaN and infinities unchanged', () => {
    expect(roundHalfEven(2 ** 53 + 2)).toBe(2 ** 53 + 2);
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(roundHalfEven(-Infinity)).toBe(-Infinity);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });

  it('agrees with Math.round off ties and picks the even neighbour on ties, for every quarter in [−100, 100]', () => {
    for (let k = -400; k <= 400; k++) {
      const x = k / 4;
      const r = roundHalfEven(x);
      if (Math.abs(k % 4) === 2) {
        expect(Math.abs(r - x)).toBe(0.5);
        expect(Math.abs(r % 2)).toBe(0);
      } else {
        expect(r === Math.round(x)).toBe(true); // === also equates −0 and 0
      }
    }
  });
});
