import { describe, expect, it } from 'vitest';
import { formatSequentialLine } from '../../src/report/text/format-values.js';
import type { SequentialRecord } from '../../src/report/index.js';

const base: SequentialRecord = {
  spending: 'obrien_fleming',
  alpha: 0.025,
  bound: 1.102,
  planned: { looks: 4, windows: 192, tokens: 24_384 },
  looks: [
    { look: 1, windows: 48, fraction: 0.25, critical: 4.333, alpha_spent: 7.4e-6, ratio: 1.004, ratio_ci: [0.98, 1.13], decision: 'continue' },
    { look: 2, windows: 96, fraction: 0.5, critical: 2.963, alpha_spent: 1.5e-3, ratio: 1.001, ratio_ci: [0.99, 1.012], decision: 'pass' },
  ],
  stopped_at: 2,
  windows_saved: 96,
};

describe('formatSequentialLine', () => {
  it('says where a run stopped and why, in one line', () => {
    expect(formatSequentialLine(base)).toBe('Stopped at look 2 of 4: 96 of 192 windows, upper bound 1.012 ≤ 1.102 (limit + hysteresis), 96 windows saved.');
  });
  it('names the lower bound of an early fail', () => {
    const fail: SequentialRecord = { ...base, looks: [{ ...base.looks[0]!, ratio: 1.19, ratio_ci: [1.106, 1.29], decision: 'fail' }], stopped_at: 1, windows_saved: 144 };
    expect(formatSequentialLine(fail)).toBe('Stopped at look 1 of 4: 48 of 192 windows, lower bound 1.106 > 1.102 (limit + hysteresis), 144 windows saved.');
  });
  it('says when every look was taken, and when none was', () => {
    const all: SequentialRecord = { ...base, looks: [...base.looks.slice(0, 1), { ...base.looks[1]!, look: 4, windows: 192, ratio_ci: [1.02, 1.1021], decision: 'fail' }], stopped_at: null, windows_saved: 0 };
    expect(formatSequentialLine(all)).toBe('Ran all 4 sequential looks: 192 of 192 windows, no interim look resolved the gate; last look upper bound 1.1021 > 1.102 (limit + hysteresis).');
    expect(formatSequentialLine({ ...base, looks: [], stopped_at: null, windows_saved: 0 })).toBe('Sequential looks (4 planned): none taken, no final window was scored.');
    expect(formatSequentialLine(null)).toBeNull();
  });
});
