import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideVeEnable, evaluateVePredictiveGate, type BootstrapCiFn, type VariancePolicy, type VeGateReason } from '../../../src/guards/index.js';
import { BALANCED_VE, CONSERVATIVE_VE } from '../policies-fixture.js';
import { percentileBootstrap } from './percentile-bootstrap.js';

/** The branch table of ALGORITHMS.md §5 as written in ve-gate.ts, restated independently. */
function expectedReasons(ci: { low: number; high: number }, mean: number, policy: VariancePolicy): VeGateReason[] {
  const e = policy.minEffectLognll;
  const out: VeGateReason[] = [];
  if (ci.high >= 0) out.push('ci_not_below_zero');
  if (mean >= 0) out.push('mean_not_negative');
  if (e > 0 && (ci.high > -e || mean > -e)) out.push('below_min_effect');
  if (policy.sidedness === 'two_sided' && ci.low > e) out.push('regression_detected');
  return out;
}

const losses = (n: number) => fc.array(fc.double({ min: 2, max: 4, noNaN: true }), { minLength: n, maxLength: n });

describe('evaluateVePredictiveGate', () => {
  it('passes a consistent improvement and reports both perplexities on the first K windows', () => {
    const lossA = [3.1, 3.2, 3.0, 3.3, 3.15, 3.05, 3.25, 3.1, 9, 9];
    const lossB = lossA.map((l, i) => (i < 8 ? l - 0.05 - 0.001 * i : l + 5));
    const weights = lossA.map(() => 100);
    const gate = evaluateVePredictiveGate({ lossA, lossB, weights }, BALANCED_VE, percentileBootstrap);
    expect(gate).toMatchObject({ status: 'pass', windows: 8, reasons: [] });
    if (gate.status === 'insufficient_coverage') throw new Error('unexpected');
    expect(gate.meanDelta).toBeCloseTo(-0.0535, 12);
    expect(gate.pplA / gate.pplB).toBeCloseTo(Math.exp(0.0535), 10);
  });

  it('is insufficient below min_coverage windows', () => {
    const gate = evaluateVePredictiveGate({ lossA: [1, 2, 3], lossB: [1, 2, 3], weights: [1, 1, 1] }, BALANCED_VE, percentileBootstrap);
    expect(gate).toEqual({ status: 'insufficient_coverage', windows: 3, minCoverage: 6, reasons: ['insufficient_coverage'] });
  });

  it('reports regression_detected only two-sided, when the whole CI lies above +min_effect', () => {
    const lossA = Array.from({ length: 10 }, (_, i) => 3 + 0.01 * i);
    const lossB = lossA.map((l, i) => l + 0.05 + 0.001 * i);
    const weights = lossA.map(() => 50);
    expect(evaluateVePredictiveGate({ lossA, lossB, weights }, CONSERVATIVE_VE, percentileBootstrap).reasons).toEqual(['ci_not_below_zero', 'mean_not_negative', 'below_min_effect', 'regression_detected']);
    expect(evaluateVePredictiveGate({ lossA, lossB, weights }, BALANCED_VE, percentileBootstrap).reasons).toEqual(['ci_not_below_zero', 'mean_not_negative']);
  });

  it('passes the seed, replicates and α of the policy to the injected CI function', () => {
    const calls: unknown[] = [];
    const spy: BootstrapCiFn = (d, w, options) => {
      calls.push({ n: d.length, w: w.length, ...options });
      return { low: -1, high: -0.5 };
    };
    evaluateVePredictiveGate({ lossA: Array(12).fill(3), lossB: Array(12).fill(2.9), weights: Array(12).fill(1) }, CONSERVATIVE_VE, spy);
    expect(calls).toEqual([{ n: 10, w: 10, replicates: 500, alpha: 0.05, seed: 42 }]);
  });

  it('matches its branch table, reason codes included, for either sidedness', () => {
    fc.assert(
      fc.property(losses(10), fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: 10, maxLength: 10 }), fc.constantFrom(BALANCED_VE, CONSERVATIVE_VE, { ...CONSERVATIVE_VE, abWindows: 6, minCoverage: 4, minEffectLognll: 0.033 }), (lossA, shift, policy) => {
        let seen: { low: number; high: number } = { low: NaN, high: NaN };
        const recording: BootstrapCiFn = (d, w, o) => (seen = percentileBootstrap(d, w, o));
        const weights = lossA.map((_, i) => 50 + 10 * i);
        const gate = evaluateVePredictiveGate({ lossA, lossB: lossA.map((l, i) => l + (shift[i] ?? 0)), weights }, policy, recording);
        if (gate.status === 'insufficient_coverage') throw new Error('unexpected');
        const reasons = expectedReasons(seen, gate.meanDelta, policy);
        expect(gate.reasons).toEqual(reasons);
        expect(gate.status).toBe(reasons.length === 0 ? 'pass' : 'fail');
      }),
      { seed: 77, numRuns: 200 },
    );
  });
});

describe('decideVeEnable', () => {
  const passing = (pplA: number, pplB: number, meanDelta: number) => ({ status: 'pass' as const, windows: 8, meanDelta, ci: { low: -0.1, high: -0.01 }, pplA, pplB, sidedness: 'one_sided' as const, minEffect: 0, reasons: [] });

  it('enables VE when the gate passed and the gain clears every floor', () => {
    expect(decideVeEnable({ scaleCount: 1, gate: passing(20, 19.5, -0.025) }, BALANCED_VE)).toMatchObject({ isEnabled: true, reasons: [], absGain: 0.5 });
  });

  it('lists each floor the gain misses', () => {
    expect(decideVeEnable({ scaleCount: 1, gate: passing(20, 19.99, -0.0005) }, BALANCED_VE).reasons).toEqual(['rel_gain_too_small', 'abs_gain_too_small', 'tie_within_deadband']);
    expect(decideVeEnable({ scaleCount: 1, gate: passing(20, 19.92, -0.004) }, CONSERVATIVE_VE).reasons).toEqual(['below_min_gain', 'tie_within_deadband']);
  });

  it('stays off without scales, after a failed gate, and without coverage', () => {
    expect(decideVeEnable({ scaleCount: 0, gate: passing(20, 19, -0.05) }, BALANCED_VE).reasons).toEqual(['no_scales']);
    expect(decideVeEnable({ scaleCount: 1, gate: { ...passing(20, 20.5, 0.02), status: 'fail', reasons: ['ci_not_below_zero', 'mean_not_negative'] } }, BALANCED_VE).reasons).toEqual([
      'ci_not_below_zero',
      'mean_not_negative',
      'below_min_gain',
      'rel_gain_too_small',
      'abs_gain_too_small',
    ]);
    expect(decideVeEnable({ scaleCount: 1, gate: { status: 'insufficient_coverage', windows: 2, minCoverage: 6, reasons: ['insufficient_coverage'] } }, BALANCED_VE)).toEqual({
      isEnabled: false,
      reasons: ['insufficient_coverage'],
      gain: null,
      relGain: null,
      absGain: null,
    });
  });
});
