import { describe, expect, it } from 'vitest';
import { decideVeEnable, evaluateGuardOverhead, evaluateVariance, evaluateVePredictiveGate, proposeVeScales } from '../../../src/guards/index.js';
import { BALANCED_VE, CONSERVATIVE_VE } from '../policies-fixture.js';
import { percentileBootstrap } from './percentile-bootstrap.js';

const proposal = proposeVeScales([{ key: 'h.0.mlp.c_proj.weight', module: 'h.0.mlp.c_proj', role: 'down', samples: [0.8, 0.82, 0.79] }], BALANCED_VE);
const none = proposeVeScales([{ key: 'h.0.mlp.c_proj.weight', module: 'h.0.mlp.c_proj', role: 'down', samples: [1] }], BALANCED_VE);

describe('evaluateVariance', () => {
  it('only monitors in compare mode', () => {
    const result = evaluateVariance({ mode: 'monitor', proposal });
    expect(result).toMatchObject({ guard: 'variance', status: 'not_evaluated', evaluated: false, reason: 'monitor_only' });
    expect(result.measurements.proposal.scales).toEqual({ 'h.0.mlp.c_proj.weight': 1.03 });
  });

  it('passes with nothing to adjust, and is not evaluated before the A/B runs', () => {
    expect(evaluateVariance({ mode: 'edit', proposal: none, gate: null, decision: null })).toMatchObject({ status: 'pass', reason: 'no_scales' });
    expect(evaluateVariance({ mode: 'edit', proposal, gate: null, decision: null })).toMatchObject({ status: 'not_evaluated', reason: 'ab_not_run' });
  });

  it('passes an enabled VE and carries the gate and decision', () => {
    const lossA = [3.1, 3.2, 3.0, 3.3, 3.15, 3.05, 3.25, 3.1];
    const ab = { lossA, lossB: lossA.map((l) => l - 0.05), weights: lossA.map(() => 100) };
    const gate = evaluateVePredictiveGate(ab, BALANCED_VE, percentileBootstrap);
    const decision = decideVeEnable({ scaleCount: proposal.scales.size, gate }, BALANCED_VE);
    const result = evaluateVariance({ mode: 'edit', proposal, gate, decision });
    expect(result).toMatchObject({ status: 'pass', evaluated: true, measurements: { isEnabled: true } });
  });

  it('warns when the two-sided gate detects a regression, and is not evaluated without coverage', () => {
    const lossA = Array.from({ length: 10 }, (_, i) => 3 + 0.01 * i);
    const gate = evaluateVePredictiveGate({ lossA, lossB: lossA.map((l) => l + 0.1), weights: lossA.map(() => 10) }, CONSERVATIVE_VE, percentileBootstrap);
    const result = evaluateVariance({ mode: 'edit', proposal, gate, decision: decideVeEnable({ scaleCount: 1, gate }, CONSERVATIVE_VE) });
    expect(result.status).toBe('warn');
    expect(result.violations[0]).toMatchObject({ code: 've_regression_detected', severity: 'warning', threshold: 0.016 });
    const thin = evaluateVePredictiveGate({ lossA: [3], lossB: [2], weights: [1] }, CONSERVATIVE_VE, percentileBootstrap);
    expect(evaluateVariance({ mode: 'edit', proposal, gate: thin, decision: null })).toMatchObject({ status: 'not_evaluated', reason: 'insufficient_coverage' });
  });
});

describe('evaluateGuardOverhead', () => {
  it('accepts PPL(guarded)/PPL(bare) up to the limit and never a non-finite ratio', () => {
    expect(evaluateGuardOverhead({ pplGuarded: 20.2, pplBare: 20 }, { maxRatio: 1.01 })).toEqual({ ratio: 1.01, maxRatio: 1.01, isWithinLimit: true });
    expect(evaluateGuardOverhead({ pplGuarded: 20.3, pplBare: 20 }, { maxRatio: 1.01 }).isWithinLimit).toBe(false);
    expect(evaluateGuardOverhead({ pplGuarded: 1, pplBare: 0 }, { maxRatio: 1.01 }).isWithinLimit).toBe(false);
  });
});
