import { describe, expect, it } from 'vitest';
import {
  decideCatastropheGate,
  decideDriftGate,
  decidePrimaryMetricGate,
  decideTailGate,
  decideVerdict,
  notEvaluatedGate,
  type GateThresholds,
  type GuardOutcome,
} from '../../src/stats/index.js';

const T: GateThresholds = {
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
const COVERAGE = { tokens: 60_000, previewWindows: 200, finalWindows: 200, replicates: 1200 };
const GUARDS_OK: GuardOutcome[] = [
  { guard: 'invariants', status: 'pass' },
  { guard: 'spectral', status: 'pass' },
  { guard: 'rmt', status: 'pass' },
  { guard: 'pairing', status: 'pass' },
];
const primary = (high: number) => decidePrimaryMetricGate({ ratioCiHigh: high, coverage: COVERAGE, thresholds: T });
const drift = (final: number) => decideDriftGate({ previewRatio: 1, finalRatio: final, thresholds: T });

describe('decideVerdict', () => {
  it('passes when every required check passed', () => {
    expect(decideVerdict([primary(1.02), drift(1.01)], GUARDS_OK)).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('passes with hysteresis applied (an info reason is not a finding)', () => {
    expect(decideVerdict([primary(1.101), drift(1)], GUARDS_OK).verdict).toBe('pass');
  });

  it('fails when a gate fails, with the gate’s own reason code', () => {
    const v = decideVerdict([primary(1.2), drift(1)], GUARDS_OK);
    expect(v.verdict).toBe('fail');
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'ratio_ci_above_limit', gate: 'primary_metric' })]);
  });

  it('fails when a guard fails, even if the metric passed', () => {
    const guards: GuardOutcome[] = GUARDS_OK.map((g) => (g.guard === 'spectral' ? { ...g, status: 'fail' } : g));
    const v = decideVerdict([primary(1.01), drift(1)], guards);
    expect(v.verdict).toBe('fail');
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'guard_failed', gate: 'spectral' })]);
  });

  it('an advisory guard that failed makes a warn, never a fail, and its reason says advisory', () => {
    const guards: GuardOutcome[] = GUARDS_OK.map((g) => (g.guard === 'rmt' ? { ...g, status: 'fail', detail: 'attn edge ratio ×1.063 > 1.01', advisory: true } : g));
    const v = decideVerdict([primary(1.01), drift(1)], guards);
    expect(v.verdict).toBe('warn');
    expect(v.reasons).toEqual([{ code: 'guard_advisory', gate: 'rmt', message: 'RMT (advisory, not gating): attn edge ratio ×1.063 > 1.01' }]);
    // the metric still decides: an advisory guard does not rescue a failing metric
    expect(decideVerdict([primary(1.2), drift(1)], guards).verdict).toBe('fail');
    // advisory changes nothing while the guard passes
    expect(decideVerdict([primary(1.01), drift(1)], GUARDS_OK.map((g) => ({ ...g, advisory: true })))).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('warns on a monitored finding', () => {
    const v = decideVerdict([primary(1.01), drift(1), decideTailGate({ p95: 0.3, thresholds: T })], GUARDS_OK);
    expect(v.verdict).toBe('warn');
    expect(v.reasons.map((r) => r.code)).toEqual(['tail_p95_above_limit']);
  });

  it('never passes vacuously: a required guard that did not run makes a warn', () => {
    const guards: GuardOutcome[] = GUARDS_OK.filter((g) => g.guard !== 'rmt');
    const v = decideVerdict([primary(1.01), drift(1)], [...guards, { guard: 'variance', status: 'not_evaluated' }]);
    expect(v.verdict).toBe('warn');
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'required_check_not_evaluated', gate: 'rmt' })]);
  });

  it('fails on catastrophe with the final-arm gates not evaluated, listing reasons in gate order', () => {
    const gates = [
      decideCatastropheGate({ previewRatio: 3, thresholds: T }),
      notEvaluatedGate({ gate: 'primary_metric', code: 'stopped_after_catastrophe', message: 'final arm skipped', thresholds: T }),
      notEvaluatedGate({ gate: 'drift', code: 'stopped_after_catastrophe', message: 'final arm skipped', thresholds: T }),
    ];
    const v = decideVerdict(gates, GUARDS_OK);
    expect(v.verdict).toBe('fail');
    expect(v.reasons.map((r) => [r.gate, r.code])).toEqual([
      ['primary_metric', 'required_check_not_evaluated'],
      ['drift', 'required_check_not_evaluated'],
      ['catastrophe', 'catastrophic_ppl_spike'],
    ]);
  });

  it('does not require drift for an accuracy primary metric', () => {
    const accuracy = notEvaluatedGate({ gate: 'primary_metric', metric: 'accuracy', code: 'no_measurement', message: 'x', thresholds: T });
    const v = decideVerdict([{ ...accuracy, status: 'pass', measured: 0, marginToFlip: 1, reasons: [] }], GUARDS_OK);
    expect(v).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('rejects a check reported twice', () => {
    expect(() => decideVerdict([primary(1), primary(1)], GUARDS_OK)).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});
