import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectByMultipleTesting } from '../../../src/guards/index.js';

const pArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 });

describe('selectByMultipleTesting', () => {
  it('applies the Benjamini–Hochberg step-up rule with m_eff = max(m, tests, 1)', () => {
    // sorted: 0.001 ≤ 0.0125, 0.02 ≤ 0.025, 0.03 ≤ 0.0375, 0.2 > 0.05 → the first three
    expect(selectByMultipleTesting([0.2, 0.02, 0.001, 0.03], { method: 'bh', alpha: 0.05, m: 4 })).toEqual({ mEff: 4, selected: [1, 2, 3] });
    // step-up: 0.04 fails at rank 1 (0.0125) but 0.045 passes at rank 4 (0.05), so all four are selected
    expect(selectByMultipleTesting([0.04, 0.045, 0.042, 0.044], { method: 'bh', alpha: 0.05, m: 4 }).selected).toEqual([0, 1, 2, 3]);
    expect(selectByMultipleTesting([0.01], { method: 'bh', alpha: 0.05, m: 4 })).toEqual({ mEff: 4, selected: [0] });
    expect(selectByMultipleTesting([], { method: 'bh', alpha: 0.05, m: 0 })).toEqual({ mEff: 1, selected: [] });
  });

  it('applies Bonferroni at α/m_eff', () => {
    expect(selectByMultipleTesting([0.0001, 0.0002, 0.01], { method: 'bonferroni', alpha: 0.000625, m: 4 }).selected).toEqual([0]);
  });

  it('is monotone in p: lowering one p-value never removes a selected test', () => {
    fc.assert(
      fc.property(pArb, fc.nat(7), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('bh' as const, 'bonferroni' as const), (ps, which, factor, method) => {
        const index = which % ps.length;
        const lowered = ps.map((p, i) => (i === index ? p * factor : p));
        const policy = { method, alpha: 0.05, m: 4 };
        const before = new Set(selectByMultipleTesting(ps, policy).selected);
        const after = new Set(selectByMultipleTesting(lowered, policy).selected);
        for (const i of before) expect(after.has(i)).toBe(true);
      }),
      { seed: 99, numRuns: 500 },
    );
  });

  it('selects everything Bonferroni selects, at the same α and m', () => {
    fc.assert(
      fc.property(pArb, (ps) => {
        const bh = new Set(selectByMultipleTesting(ps, { method: 'bh', alpha: 0.05, m: 4 }).selected);
        for (const i of selectByMultipleTesting(ps, { method: 'bonferroni', alpha: 0.05, m: 4 }).selected) expect(bh.has(i)).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
