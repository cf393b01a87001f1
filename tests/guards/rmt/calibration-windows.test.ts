import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectCalibrationWindows } from '../../../src/guards/index.js';

describe('selectCalibrationWindows', () => {
  it('takes 8 evenly spaced indices, rounding i·(n − 1)/7 half to even', () => {
    // 400 windows: i·399/7 = 0, 57, 114, 171, 228, 285, 342, 399
    expect(selectCalibrationWindows(400)).toEqual([0, 57, 114, 171, 228, 285, 342, 399]);
    // 16 windows: i·15/7 = 0, 2.14, 4.29, 6.43, 8.57, 10.71, 12.86, 15
    expect(selectCalibrationWindows(16)).toEqual([0, 2, 4, 6, 9, 11, 13, 15]);
    // 8 windows with count 3: 0, 3.5 → 4 (even), 7
    expect(selectCalibrationWindows(8, 3)).toEqual([0, 4, 7]);
    // 6 windows with count 3: 0, 2.5 → 2 (even), 5
    expect(selectCalibrationWindows(6, 3)).toEqual([0, 2, 5]);
  });

  it('drops duplicates when there are fewer windows than wanted', () => {
    expect(selectCalibrationWindows(3)).toEqual([0, 1, 2]);
    expect(selectCalibrationWindows(1)).toEqual([0]);
    expect(selectCalibrationWindows(0)).toEqual([]);
  });

  it('always returns strictly increasing indices inside [0, n) that include both ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5000 }), fc.integer({ min: 2, max: 16 }), (n, count) => {
        const picked = selectCalibrationWindows(n, count);
        expect(picked[0]).toBe(0);
        expect(picked[picked.length - 1]).toBe(n - 1);
        picked.slice(1).forEach((index, i) => expect(index).toBeGreaterThan(picked[i] ?? Infinity));
        expect(picked.length).toBe(Math.min(n, count));
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
