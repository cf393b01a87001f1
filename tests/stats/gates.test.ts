import { describe, expect, it } from 'vitest';
import {
  decideAccuracyGate,
  decideCatastropheGate,
  decideDriftGate,
  decideGuardOverheadGate,
  decidePrimaryMetricGate,
  decideTailGate,
  notEvaluatedGate,
  type GateCoverage,
  type GateThresholds,
} from '../../src/stats/index.js';

/** The balanced tier under the ci profile, as tiers.json resolves it (checked in tests/core/policy). */
const BALANCED: GateThresholds = {
  primary_metric: {
    ratio_limit: 1.1,
    hysteresis: 0.002,
    accuracy_delta_limit_pp: -1,
    accuracy_min_examples: 200,
    token_floor: 50_000,
    window_floor_preview: 180,
    window_floor_final: 180,
    floors: 'enforced',
  },
  bootstrap: { min_replicates: 1200 },
  drift_band: [0.95, 1.05],
  catastrophe_ratio: 2,
  tail: { p95_limit: 0.2, mode: 'warn' },
  guard_overhead: { limit: 1.01 },
};
const DEV: GateThresholds = { ...BALANCED, primary_metric: { ...BALANCED.primary_metric, floors: 'informational' } };
const ENOUGH: GateCoverage = { tokens: 51_200, previewWindows: 200, finalWindows: 200, replicates: 1200 };

const codes = (record: { reasons: readonly { code: string }[] }): string[] => record.reasons.map((r) => r.code);

describe('decidePrimaryMetricGate', () => {
  it('passes an upper CI bound of exactly 1.10 without hysteresis', () => {
    const g = decidePrimaryMetricGate({ ratioCiHigh: 1.1, coverage: ENOUGH, thresholds: BALANCED });
    expect(g).toMatchObject({ gate: 'primary_metric', status: 'pass', measured: 1.1, basis: 'ratio_ci_high', threshold: { op: 'le', value: 1.1 } });
    expect(g.reasons).toEqual([]);
    expect(g.marginToFlip).toBeCloseTo(0.002, 12);
  });

  it('passes 1.101 with hysteresis_applied flagged', () => {
    const g = decidePrimaryMetricGate({ ratioCiHigh: 1.101, coverage: ENOUGH, thresholds: BALANCED });
    expect(g.status).toBe('pass');
    expect(g.reasons).toEqual([expect.objectContaining({ code: 'hysteresis_applied', effect: 'info' })]);
    expect(g.marginToFlip).toBeCloseTo(0.001, 12);
  });

  it('fails 1.1025, beyond L + hysteresis', () => {
    const g = decidePrimaryMetricGate({ ratioCiHigh: 1.1025, coverage: ENOUGH, thresholds: BALANCED });
    expect(g.status).toBe('fail');
    expect(codes(g)).toEqual(['ratio_ci_above_limit']);
    expect(g.marginToFlip).toBeCloseTo(-0.0005, 12);
  });

  it('gates on the upper bound: a point ratio below L does not rescue a wide CI', () => {
    // The caller passes only the bound; a 1.03 point ratio with a 1.15 upper bound fails.
    expect(decidePrimaryMetricGate({ ratioCiHigh: 1.15, coverage: ENOUGH, thresholds: BALANCED }).status).toBe('fail');
  });

  it('fails each unmet floor when floors are enforced', () => {
    const g = decidePrimaryMetricGate({
      ratioCiHigh: 1.01,
      coverage: { tokens: 49_999, previewWindows: 179, finalWindows: 179, replicates: 1199 },
      thresholds: BALANCED,
    });
    expect(g.status).toBe('fail');
    expect(codes(g)).toEqual(['below_token_floor', 'below_preview_window_floor', 'below_final_window_floor', 'below_min_replicates']);
    expect(g.reasons.every((r) => r.effect === 'fail')).toBe(true);
    expect(g.marginToFlip).toBeCloseTo(0.092, 12); // the metric itself is fine
  });

  it('accepts counts exactly at the floors', () => {
    const g = decidePrimaryMetricGate({
      ratioCiHigh: 1.01,
      coverage: { tokens: 50_000, previewWindows: 180, finalWindows: 180, replicates: 1200 },
      thresholds: BALANCED,
    });
    expect(g.status).toBe('pass');
  });

  it('lists floors as informational in the dev profile without failing', () => {
    const g = decidePrimaryMetricGate({ ratioCiHigh: 1.01, coverage: { tokens: 8192, previewWindows: 32, finalWindows: 32, replicates: 500 }, thresholds: DEV });
    expect(g.status).toBe('pass');
    expect(codes(g)).toEqual(['below_token_floor', 'below_preview_window_floor', 'below_final_window_floor', 'below_min_replicates']);
    expect(g.reasons.every((r) => r.effect === 'info')).toBe(true);
  });

  it('still fails the ratio in dev', () => {
    expect(decidePrimaryMetricGate({ ratioCiHigh: 1.2, coverage: ENOUGH, thresholds: DEV }).status).toBe('fail');
  });

  it('throws E_INTERNAL for a NaN bound', () => {
    expect(() => decidePrimaryMetricGate({ ratioCiHigh: Number.NaN, coverage: ENOUGH, thresholds: BALANCED })).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL' }),
    );
  });
});

describe('decideAccuracyGate', () => {
  it('compares the lower CI bound of Δ in percentage points with the limit', () => {
    const pass = decideAccuracyGate({ deltaPpCiLow: -0.8, examples: 500, replicates: 1200, thresholds: BALANCED });
    expect(pass).toMatchObject({ gate: 'primary_metric', status: 'pass', basis: 'delta_ci_low', threshold: { op: 'ge', value: -1 } });
    expect(pass.marginToFlip).toBeCloseTo(0.2, 12);
    const edge = decideAccuracyGate({ deltaPpCiLow: -1, examples: 500, replicates: 1200, thresholds: BALANCED });
    expect(edge.status).toBe('pass');
    const fail = decideAccuracyGate({ deltaPpCiLow: -1.5, examples: 500, replicates: 1200, thresholds: BALANCED });
    expect(fail.status).toBe('fail');
    expect(codes(fail)).toEqual(['accuracy_ci_below_limit']);
  });

  it('reads points, not proportions: a −0.02 drop (two hundredths of a point) passes', () => {
    expect(decideAccuracyGate({ deltaPpCiLow: -0.02, examples: 500, replicates: 1200, thresholds: BALANCED }).status).toBe('pass');
  });

  it('needs the minimum number of examples', () => {
    const g = decideAccuracyGate({ deltaPpCiLow: 0, examples: 199, replicates: 1200, thresholds: BALANCED });
    expect(g.status).toBe('fail');
    expect(codes(g)).toEqual(['below_min_examples']);
    const dev = decideAccuracyGate({ deltaPpCiLow: 0, examples: 50, replicates: 500, thresholds: DEV });
    expect(dev.status).toBe('pass');
    expect(codes(dev)).toEqual(['below_min_examples', 'below_min_replicates']);
  });
});

describe('decideDriftGate', () => {
  it('passes the band edges 0.95 and 1.05 and fails just outside', () => {
    expect(decideDriftGate({ previewRatio: 1, finalRatio: 0.95, thresholds: BALANCED }).status).toBe('pass');
    expect(decideDriftGate({ previewRatio: 1, finalRatio: 1.05, thresholds: BALANCED }).status).toBe('pass');
    const high = decideDriftGate({ previewRatio: 1, finalRatio: 1.0501, thresholds: BALANCED });
    expect(high.status).toBe('fail');
    expect(codes(high)).toEqual(['drift_out_of_band']);
    expect(decideDriftGate({ previewRatio: 1, finalRatio: 0.9499, thresholds: BALANCED }).status).toBe('fail');
  });

  it('measures r_final / r_preview with the distance to the nearer edge', () => {
    const g = decideDriftGate({ previewRatio: 1.2, finalRatio: 1.224, thresholds: BALANCED });
    expect(g.measured).toBeCloseTo(1.02, 12);
    expect(g.marginToFlip).toBeCloseTo(0.03, 12);
    expect(g.threshold).toEqual({ op: 'within', low: 0.95, high: 1.05 });
  });

  it('rejects non-positive ratios with E_INTERNAL', () => {
    expect(() => decideDriftGate({ previewRatio: 0, finalRatio: 1, thresholds: BALANCED })).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});

describe('decideCatastropheGate', () => {
  it('fails a preview ratio above 2.0 with catastrophic_ppl_spike', () => {
    const g = decideCatastropheGate({ previewRatio: 2.5, thresholds: BALANCED });
    expect(g.status).toBe('fail');
    expect(codes(g)).toEqual(['catastrophic_ppl_spike']);
    expect(g.marginToFlip).toBeCloseTo(-0.5, 12);
  });

  it('passes exactly 2.0', () => {
    expect(decideCatastropheGate({ previewRatio: 2, thresholds: BALANCED }).status).toBe('pass');
  });
});

describe('decideTailGate', () => {
  it('warns when P95 exceeds the limit and passes at the limit', () => {
    expect(decideTailGate({ p95: 0.2, thresholds: BALANCED }).status).toBe('pass');
    const g = decideTailGate({ p95: 0.25, thresholds: BALANCED });
    expect(g).toMatchObject({ status: 'warn', basis: 'p95' });
    expect(g.reasons).toEqual([expect.objectContaining({ code: 'tail_p95_above_limit', effect: 'warn' })]);
  });

  it('fails instead when the tail mode is fail', () => {
    const strict: GateThresholds = { ...BALANCED, tail: { p95_limit: 0.2, mode: 'fail' } };
    expect(decideTailGate({ p95: 0.25, thresholds: strict }).status).toBe('fail');
  });
});

describe('decideGuardOverheadGate', () => {
  it('passes guarded/bare ≤ 1.01 and fails above', () => {
    expect(decideGuardOverheadGate({ guardedPpl: 30.3, barePpl: 30, thresholds: BALANCED }).status).toBe('pass');
    const g = decideGuardOverheadGate({ guardedPpl: 30.4, barePpl: 30, thresholds: BALANCED });
    expect(g.status).toBe('fail');
    expect(codes(g)).toEqual(['guard_overhead_above_limit']);
  });
});

describe('notEvaluatedGate', () => {
  it('records the threshold the gate would have used, with no measurement', () => {
    const g = notEvaluatedGate({ gate: 'drift', code: 'stopped_after_catastrophe', message: 'final arm skipped', thresholds: BALANCED });
    expect(g).toEqual({
      gate: 'drift',
      status: 'not_evaluated',
      threshold: { op: 'within', low: 0.95, high: 1.05 },
      basis: 'point',
      measured: null,
      marginToFlip: null,
      reasons: [{ code: 'stopped_after_catastrophe', message: 'final arm skipped', effect: 'info' }],
    });
    const acc = notEvaluatedGate({ gate: 'primary_metric', metric: 'accuracy', code: 'no_measurement', message: 'x', thresholds: BALANCED });
    expect(acc).toMatchObject({ basis: 'delta_ci_low', threshold: { op: 'ge', value: -1 } });
  });
});
