/** Harm classes (bench/calibration/harm.ts) and every tier re-decided from one run (bench/calibration/redecide.ts). */
import { describe, expect, it } from 'vitest';
import { GATES, type GateId, type RunOutcome } from '../../bench/calibration/index.js';
import { classOf, harmBand } from '../../bench/calibration/harm.js';
import { redecide, tierRules, type TierRules } from '../../bench/calibration/redecide.js';

function measured(stats: Partial<RunOutcome['stats']>, flags: Partial<Record<GateId, boolean>> = {}, verdict: RunOutcome['verdict'] = 'pass'): RunOutcome {
  return {
    fixture: 'gpt2-tiny',
    tier: 'balanced',
    seed: 1,
    case: 'twin_int4',
    intent: 'benign',
    class: 'grey',
    true_ratio: null,
    layer: null,
    variant: null,
    verdict,
    advisory: [],
    rmt_nonfinite: false,
    reasons: [],
    flagged: Object.fromEntries(GATES.map((g) => [g, flags[g] ?? false])) as Record<GateId, boolean>,
    guards: { invariants: 'pass', spectral: 'pass', rmt: 'pass', variance: 'pass' },
    stats: {
      ratio: 1.01,
      ratio_ci_high: 1.03,
      preview_ratio: 1.01,
      drift: 1,
      spectral_caps: 0,
      spectral_fatal: 0,
      spectral_top_changes: [0.12, 0.11, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0],
      rmt_growth: 0.02,
      rmt_growth_by_family: { attn: 0.02, ffn: 0.001, embed: null, other: null },
      ...stats,
    },
  };
}

describe('harm classes', () => {
  it('puts benign at most half the allowance, harmful at least 1.5 times it, grey between', () => {
    const balanced = harmBand(1.1);
    expect(balanced.benignMax).toBeCloseTo(1.05, 12);
    expect(balanced.harmfulMin).toBeCloseTo(1.15, 12);
    expect(classOf({ ratio: 1.02, broken: false }, balanced)).toBe('benign');
    expect(classOf({ ratio: 0.97, broken: false }, balanced)).toBe('benign');
    expect(classOf({ ratio: 1.1, broken: false }, balanced)).toBe('grey');
    expect(classOf({ ratio: 1.2, broken: false }, balanced)).toBe('harmful');
    // no finite ratio (the model broke) and broken weights are harmful whatever the ratio says
    expect(classOf({ ratio: null, broken: false }, balanced)).toBe('harmful');
    expect(classOf({ ratio: 1.01, broken: true }, balanced)).toBe('harmful');
  });
});

describe('redecide', () => {
  const rules = (over: Partial<TierRules>): TierRules => ({ ...tierRules('balanced'), ...over });

  it('reproduces the recorded gates under the measurement tier', () => {
    // the balanced tier today: RMT ε 0.01 < growth 0.02 fails; 2 modules beyond deadband 0.1 ≤ max_caps 5
    const m = measured({}, { rmt: true, verdict: true }, 'fail');
    const o = redecide(m, tierRules('balanced'), { ratio: 1.004, broken: false });
    expect(o.flagged).toEqual({ ...m.flagged, verdict: o.verdict === 'fail' });
    expect(o.class).toBe('benign');
    expect(o.true_ratio).toBe(1.004);
  });

  it('applies another tier’s thresholds to the same statistics', () => {
    const m = measured({ ratio_ci_high: 1.06 });
    const strict = redecide(m, rules({ tier: 'conservative', ratioLimit: 1.05, maxCaps: 1, deadband: 0.1, epsilon: { attn: 0.05, ffn: 0.05, embed: 0.05, other: 0.05 } }), null);
    expect(strict.tier).toBe('conservative');
    expect(strict.flagged.primary_metric).toBe(true); // 1.06 > 1.052
    expect(strict.flagged.spectral).toBe(true); // the 2nd largest change 0.11 > 0.1
    expect(strict.flagged.rmt).toBe(false); // 0.02 ≤ 0.05
    expect(strict.class).toBe('grey'); // no truth measured
  });

  it('an advisory guard is counted in its column but never fails the verdict', () => {
    const m = measured({}, { rmt: true, verdict: true }, 'fail');
    const o = redecide(m, rules({ modes: { spectral: 'gate', rmt: 'advisory' } }), { ratio: 1.001, broken: false });
    expect(o.flagged.rmt).toBe(true);
    expect(o.flagged.verdict).toBe(false);
    expect(o.verdict).toBe('warn');
    expect(o.advisory).toEqual(['rmt']);
  });

  it('keeps a run error and a catastrophe stop in every tier', () => {
    const err = measured({ ratio: null, ratio_ci_high: null, preview_ratio: null }, { verdict: true }, 'error');
    expect(redecide(err, tierRules('aggressive'), null)).toMatchObject({ verdict: 'error', flagged: { verdict: true } });
    const stop = { ...measured({ ratio: null, ratio_ci_high: null, preview_ratio: 3.1 }, { primary_metric: true, verdict: true }, 'fail'), reasons: ['catastrophe:catastrophic_ppl_spike'] };
    expect(redecide(stop, tierRules('aggressive'), { ratio: null, broken: false })).toMatchObject({ verdict: 'fail', class: 'harmful', flagged: { primary_metric: true } });
  });
});
