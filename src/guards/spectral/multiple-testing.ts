import type { MultipleTestingPolicy } from '../types.js';

/** Outcome of a family-wise selection. */
export interface MultipleTestingOutcome {
  /** max(m, number of p-values, 1). */
  readonly mEff: number;
  /** Indices of the selected tests, ascending. */
  readonly selected: readonly number[];
}

/**
 * Selects tests by Benjamini–Hochberg (step-up: the largest j with p₍ⱼ₎ ≤ j·α/m_eff, and every p at
 * or below p₍ⱼ₎) or Bonferroni (p ≤ α/m_eff), with m_eff = max(policy.m, pValues.length, 1)
 * (ALGORITHMS.md §5). Monotone: lowering any p never removes a selected test. NaN p-values are never selected.
 */
export function selectByMultipleTesting(pValues: readonly number[], policy: MultipleTestingPolicy): MultipleTestingOutcome {
  const mEff = Math.max(policy.m, pValues.length, 1);
  if (policy.method === 'bonferroni') {
    const cut = policy.alpha / mEff;
    return { mEff, selected: pValues.flatMap((p, i) => (p <= cut ? [i] : [])) };
  }
  const order = pValues.map((p, i) => ({ p, i })).filter(({ p }) => !Number.isNaN(p)).sort((a, b) => a.p - b.p || a.i - b.i);
  let largest = -1;
  order.forEach(({ p }, rank) => {
    if (p <= ((rank + 1) * policy.alpha) / mEff) largest = rank;
  });
  if (largest < 0) return { mEff, selected: [] };
  const cut = order[largest]?.p ?? -Infinity;
  return { mEff, selected: pValues.flatMap((p, i) => (p <= cut ? [i] : [])) };
}
