import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WeightFamily, WeightMatrix } from '../../../src/edits/index.js';
import { computeMatrixStats, evaluateSpectral, type GuardStatus, type MatrixStats, type SpectralPolicy, type WeightStats } from '../../../src/guards/index.js';
import { BALANCED_SPECTRAL } from '../policies-fixture.js';
import { tinyModel } from '../weights-fixture.js';

const OPTIONS = { powerIters: 4, mpTopK: 0, mpIters: 0 };

function measure(weights: readonly WeightMatrix[]): WeightStats[] {
  return weights.map((m) => ({ key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, stats: computeMatrixStats(m.data, m.rows, m.cols, OPTIONS) }));
}

function scaled(weights: readonly WeightMatrix[], keys: readonly string[], factor: number): WeightMatrix[] {
  return weights.map((m) => (keys.includes(m.key) ? { ...m, data: m.data.map((v) => v * factor) } : m));
}

/** Synthetic stats for property tests: only σ̂max differs between modules. */
function synthetic(key: string, family: WeightFamily, sigma: number): WeightStats {
  const stats: MatrixStats = {
    rows: 8, cols: 8, nonFinite: 0, firstNonFiniteIndex: -1, frobeniusNorm: 2 * sigma, sigmaMax: sigma, stableRank: 4,
    rowNormMin: 1, rowNormMedian: 1, colNormMin: 1, colNormMedian: 1, mean: 0, std: 1, mp: null,
  };
  return { key, module: key, role: family === 'ffn' ? 'up' : 'q', family, layer: 0, stats };
}

const RANK: Record<GuardStatus, number> = { pass: 0, not_evaluated: 0, warn: 1, fail: 2 };

const pairArbitrary = fc.array(
  fc.record({ family: fc.constantFrom<WeightFamily>('attn', 'ffn'), base: fc.double({ min: 0.5, max: 5, noNaN: true }), ratio: fc.double({ min: 0.5, max: 1.6, noNaN: true }) }),
  { minLength: 1, maxLength: 20 },
);

function inputOf(pairs: readonly { family: WeightFamily; base: number; ratio: number }[]) {
  return {
    baseline: pairs.map((p, i) => synthetic(`w${i}`, p.family, p.base)),
    subject: pairs.map((p, i) => synthetic(`w${i}`, p.family, p.base * p.ratio)),
  };
}

describe('evaluateSpectral', () => {
  const base = tinyModel({ layers: 4 });
  const baseStats = measure(base);

  it('passes the baseline against itself with every ratio exactly 1', () => {
    const result = evaluateSpectral({ baseline: baseStats, subject: baseStats }, BALANCED_SPECTRAL);
    expect(result.status).toBe('pass');
    expect(result.measurements.modules.every((m) => m.ratio === 1)).toBe(true);
    // wte, wpe, 4 × (qkv, o, up, down), lm_head; norms are 1-D and skipped
    expect(result.measurements.paired).toBe(19);
  });

  it('counts |ρ − 1| > deadband as budgeted violations: within max_caps warns, above fails', () => {
    const keys = base.filter((m) => m.role === 'up').map((m) => m.key);
    const four = evaluateSpectral({ baseline: baseStats, subject: measure(scaled(base, keys, 1.25)) }, BALANCED_SPECTRAL);
    expect(four.status).toBe('warn');
    expect(four.measurements.caps).toBe(4);
    expect(four.violations[0]).toMatchObject({ code: 'spectral_ratio', severity: 'budgeted', family: 'ffn', threshold: 0.1 });
    expect(four.violations[0]?.value).toBeCloseTo(0.25, 5);
    const eight = base.filter((m) => m.role === 'up' || m.role === 'down').map((m) => m.key);
    const fail = evaluateSpectral({ baseline: baseStats, subject: measure(scaled(base, eight, 0.8)) }, BALANCED_SPECTRAL);
    expect(fail.status).toBe('fail');
    expect(fail.measurements.caps).toBe(8);
    expect(fail.reason).toMatch(/^8 weights moved σ̂max beyond 1 ± 0.1 \(budget 5\); largest (transformer\.)?h\.\d+\.mlp\.\S+ \|ρ − 1\| = 0\.2000$/);
  });

  it('fails on a NaN weight and on a non-finite ratio', () => {
    const nan = base.map((m) => (m.role === 'o' && m.layer === 0 ? { ...m, data: m.data.map((v, i) => (i === 0 ? NaN : v)) } : m));
    expect(evaluateSpectral({ baseline: baseStats, subject: measure(nan) }, BALANCED_SPECTRAL).violations.map((v) => v.code)).toContain('spectral_nonfinite');
    // σ̂ = 0 exactly (a zero matrix gives the 1e-12 floor, so the stats are set by hand).
    const zeroStats = baseStats.map((w) => (w.module === 'h.0.attn.c_proj' ? { ...w, stats: { ...w.stats, sigmaMax: 0 } } : w));
    const result = evaluateSpectral({ baseline: zeroStats, subject: baseStats }, BALANCED_SPECTRAL);
    expect(result.status).toBe('fail');
    expect(result.violations.map((v) => v.code)).toContain('spectral_ratio_nonfinite');
  });

  it('flags a stable-rank collapse and a collapsed row as fatal degeneracy', () => {
    const target = base.find((m) => m.role === 'up' && m.layer === 1);
    if (target === undefined) throw new Error('fixture');
    // Rank one: every row a multiple of the first row.
    const rankOne = target.data.map((_, i) => (target.data[i % target.cols] ?? 0) * (1 + (Math.floor(i / target.cols) % 3)));
    const codes = evaluateSpectral({ baseline: baseStats, subject: measure(base.map((m) => (m === target ? { ...m, data: rankOne } : m))) }, { ...BALANCED_SPECTRAL, deadband: 100 }).violations.map((v) => [v.code, v.severity]);
    expect(codes).toContainEqual(['stable_rank_drop', 'fatal']);
    const zeroRow = target.data.map((v, i) => (i < target.cols ? 0 : v));
    const collapse = evaluateSpectral({ baseline: baseStats, subject: measure(base.map((m) => (m === target ? { ...m, data: zeroRow } : m))) }, BALANCED_SPECTRAL);
    expect(collapse.violations.map((v) => [v.code, v.severity, v.value])).toContainEqual(['norm_collapse', 'fatal', 0]);
  });

  it('keeps z-score telemetry: an outlier module makes its family a candidate that BH selects, without changing the status', () => {
    const baseline = Array.from({ length: 12 }, (_, i) => synthetic(`a${i}`, 'attn', 1 + 0.01 * (i % 4)));
    const subject = baseline.map((w, i) => (i === 5 ? { ...w, stats: { ...w.stats, sigmaMax: 1.08 } } : w));
    const policy: SpectralPolicy = { ...BALANCED_SPECTRAL, kappa: { ...BALANCED_SPECTRAL.kappa, attn: 1.2 } };
    const result = evaluateSpectral({ baseline, subject }, policy);
    const attn = result.measurements.families.find((f) => f.family === 'attn');
    expect(attn?.candidates).toBeGreaterThanOrEqual(1);
    expect(attn?.pValue).toBeLessThan(0.01);
    expect(result.measurements.multipleTesting).toMatchObject({ method: 'bh', m: 4, mEff: 4, selected: ['attn'] });
    expect(result.status).toBe('pass');
  });

  it('is not evaluated when no 2-D weight is present in both models', () => {
    const result = evaluateSpectral({ baseline: baseStats.slice(0, 1), subject: baseStats.slice(1, 2) }, BALANCED_SPECTRAL);
    expect(result).toMatchObject({ status: 'not_evaluated', evaluated: false });
    expect(result.measurements.unpaired).toBe(2);
  });

  it('never has more budgeted violations when the deadband grows', () => {
    fc.assert(
      fc.property(pairArbitrary, fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (pairs, a, b) => {
        const input = inputOf(pairs);
        const small = evaluateSpectral(input, { ...BALANCED_SPECTRAL, deadband: Math.min(a, b) });
        const large = evaluateSpectral(input, { ...BALANCED_SPECTRAL, deadband: Math.max(a, b) });
        expect(large.measurements.caps).toBeLessThanOrEqual(small.measurements.caps);
      }),
      { seed: 1234, numRuns: 300 },
    );
  });

  it('never turns pass (or warn) into fail when max_caps is raised', () => {
    fc.assert(
      fc.property(pairArbitrary, fc.nat(10), fc.nat(10), (pairs, a, b) => {
        const input = inputOf(pairs);
        const low = evaluateSpectral(input, { ...BALANCED_SPECTRAL, maxCaps: Math.min(a, b) });
        const high = evaluateSpectral(input, { ...BALANCED_SPECTRAL, maxCaps: Math.max(a, b) });
        expect(RANK[high.status]).toBeLessThanOrEqual(RANK[low.status]);
      }),
      { seed: 4321, numRuns: 300 },
    );
  });
});
