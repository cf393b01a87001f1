import { describe, expect, expectTypeOf, it } from 'vitest';
import tiersJson from '../../../contracts/tiers.json' with { type: 'json' };
import { PROFILE_NAMES, TIER_NAMES, loadTiers, parseTiersFile, resolvePolicy, type Policy } from '../../../src/core/policy/index.js';
import { BOOTSTRAP_DEFAULTS, type GateThresholds } from '../../../src/stats/index.js';
import { InvarlockError } from '../../../src/errors/index.js';

/** ALGORITHMS.md §1 (profiles), transcribed from the table. */
const DOC_PROFILES = {
  dev: { preview_n: 32, final_n: 32, replicates: 500, evidence: 'dev', floors: 'informational' },
  ci_cpu: { preview_n: 120, final_n: 120, replicates: 1200, evidence: 'release', floors: 'enforced' },
  ci: { preview_n: 200, final_n: 200, replicates: 1200, evidence: 'release', floors: 'enforced' },
  release: { preview_n: 400, final_n: 400, replicates: 3200, evidence: 'release', floors: 'enforced' },
} as const;

/** ALGORITHMS.md §1 (gates per tier) and §5/§8 (guards, VE), transcribed from the tables. */
const DOC_TIERS = {
  balanced: {
    L: 1.1, tokens: 50_000, windows: 180, minReplicates: 1200, accuracy: [-1, 200], p95: 0.2,
    spectral: [0.1, 5], spectralMode: 'advisory', rmt: [0.01, 'advisory'], kappa: { ffn: 3.849, attn: 3.018, embed: 1.05, other: 0 }, mt: ['bh', 0.05],
    ve: { scope: ['ffn'], max_calib: 200, ab_windows: 8, min_coverage: 6, seed: 123, clamp: [0.85, 1.12], deadband: 0.02, min_abs_adjust: 0.012, max_scale_step: 0.03, topk_backstop: 1, max_adjusted_modules: 1, min_gain: 0, tie_breaker_deadband: 0.001 },
    veThresholds: { min_effect_lognll: 0, sidedness: 'one_sided', min_rel_gain: 0.001 },
  },
  conservative: {
    L: 1.05, tokens: 20_000, windows: 220, minReplicates: 1500, accuracy: [-0.5, 200], p95: 0.12,
    spectral: [0.05, 3], spectralMode: 'advisory', rmt: [0.01, 'advisory'], kappa: { ffn: 3.849, attn: 2.6, embed: 2.8, other: 2.8 }, mt: ['bonferroni', 0.000625],
    ve: { scope: ['ffn'], max_calib: 160, ab_windows: 10, min_coverage: 8, seed: 42, clamp: [0.85, 1.12], deadband: 0.03, min_abs_adjust: 0.02, max_scale_step: 0.015, topk_backstop: 0, max_adjusted_modules: 0, min_gain: 0.01, tie_breaker_deadband: 0.005 },
    veThresholds: { min_effect_lognll: 0.016, sidedness: 'two_sided', min_rel_gain: 0.002 },
  },
  aggressive: {
    L: 1.2, tokens: 50_000, windows: 140, minReplicates: 800, accuracy: [-2, 200], p95: 0.3,
    spectral: [0.15, 8], spectralMode: 'gate', rmt: [0.01, 'advisory'], kappa: { ffn: 3.849, attn: 3.5, embed: 2.5, other: 3.5 }, mt: ['bh', 0.00078125],
    ve: { scope: ['ffn', 'attn_out'], max_calib: 240, ab_windows: 6, min_coverage: 4, seed: 456, clamp: [0.3, 3], deadband: 0.12, min_abs_adjust: 0.012, max_scale_step: 0.03, topk_backstop: 1, max_adjusted_modules: 0, min_gain: 0, tie_breaker_deadband: 0.0005 },
    veThresholds: { min_effect_lognll: 0.033, sidedness: 'two_sided', min_rel_gain: 0.0025 },
  },
} as const;

describe('contracts/tiers.json', () => {
  it('matches its schema', () => {
    expect(() => loadTiers()).not.toThrow();
    expect(loadTiers().schema_version).toBe(1);
  });

  it('names exactly the tiers and profiles the code knows', () => {
    expect(Object.keys(tiersJson.tiers)).toEqual([...TIER_NAMES]);
    expect(Object.keys(tiersJson.profiles)).toEqual([...PROFILE_NAMES]);
  });

  it.each(PROFILE_NAMES)('carries the documented sizes of profile %s', (profile) => {
    const p = resolvePolicy({ tier: 'balanced', profile });
    const doc = DOC_PROFILES[profile];
    expect(p.windows).toEqual({ preview_n: doc.preview_n, final_n: doc.final_n });
    expect(p.thresholds.bootstrap.replicates).toBe(doc.replicates);
    expect(p.evidence).toBe(doc.evidence);
    expect(p.thresholds.primary_metric.floors).toBe(doc.floors);
  });

  it.each(TIER_NAMES)('carries every documented threshold of tier %s', (tier) => {
    const doc = DOC_TIERS[tier];
    const p = resolvePolicy({ tier, profile: 'ci' });
    const t = p.thresholds;
    expect(t.primary_metric).toMatchObject({
      ratio_limit: doc.L,
      hysteresis: 0.002,
      token_floor: doc.tokens,
      window_floor_preview: doc.windows,
      window_floor_final: doc.windows,
      accuracy_delta_limit_pp: doc.accuracy[0],
      accuracy_min_examples: doc.accuracy[1],
    });
    expect(t.bootstrap).toMatchObject({ min_replicates: doc.minReplicates, alpha: 0.05, method: 'bca_weighted' });
    expect(t.drift_band).toEqual([0.95, 1.05]);
    expect(t.catastrophe_ratio).toBe(2);
    expect(t.tail).toEqual({ p95_limit: doc.p95, mass_threshold: 1e-4, mode: 'warn' });
    expect(t.guard_overhead).toEqual({ limit: 1.01 });
    expect(t.invariants).toEqual({ mode: 'on' });
    // mode and the spectral deadband / RMT ε: bench/calibration/THRESHOLDS.md (tiers.json `provenance`)
    expect(t.spectral).toEqual({
      mode: doc.spectralMode,
      deadband: doc.spectral[0],
      max_caps: doc.spectral[1],
      kappa: doc.kappa,
      multiple_testing: { method: doc.mt[0], alpha: doc.mt[1] },
      stable_rank_warn: 0.5,
      stable_rank_fatal: 0.25,
      norm_collapse_warn: 0.25,
      norm_collapse_fatal: 0.1,
    });
    const eps = doc.rmt[0];
    expect(t.rmt).toEqual({ mode: doc.rmt[1], epsilon: { ffn: eps, attn: eps, embed: eps, other: eps } });
    expect(t.variance).toEqual({ ...doc.veThresholds, min_abs_gain: 0.05 });
    expect(p.guards.spectral).toEqual({ power_iterations: 4 });
    expect(p.guards.rmt).toEqual({ calibration_windows: 8, power_iterations: 3 });
    expect(p.guards.variance).toEqual({
      ...doc.ve,
      scale_windows_divisor: 10,
      max_scale_windows: 50,
      bootstrap_replicates: 500,
      winsorize: [0.02, 0.98],
      winsorize_min_samples: 10,
      max_chunks: 8,
    });
  });

  it('uses the bootstrap defaults of the statistics layer', () => {
    expect(loadTiers().statistics.z0_clip).toBe(BOOTSTRAP_DEFAULTS.z0Clip);
    expect(resolvePolicy({ tier: 'balanced', profile: 'ci' }).statistics.z0_clip).toBe(BOOTSTRAP_DEFAULTS.z0Clip);
  });

  it('documents one fixed seed offset per purpose', () => {
    expect(loadTiers().seed_offsets).toEqual({ window_draw: 0, mlm_mask: 1000, bootstrap: 2000, variance: 3000 });
  });

  it("feeds the gates directly: the policy's thresholds are the gates' thresholds", () => {
    expectTypeOf<Policy['thresholds']>().toMatchTypeOf<GateThresholds>();
  });
});

describe('contracts/tiers.schema.json', () => {
  const problemsOf = (value: unknown): readonly string[] => {
    try {
      parseTiersFile(value, 'test.json');
    } catch (error) {
      if (error instanceof InvarlockError) {
        expect(error.code).toBe('E_CONTRACT_INVALID');
        return error.details.problems ?? [];
      }
      throw error;
    }
    throw new Error('expected the schema to reject the value');
  };

  it('rejects unknown keys at the top, in a profile and deep in a tier', () => {
    expect(problemsOf({ ...tiersJson, extra: 1 })).toContain("/: must NOT have additional properties 'extra'");
    const profile = structuredClone(tiersJson);
    Object.assign(profile.profiles.ci, { seq_len: 128 });
    expect(problemsOf(profile)).toContain("/profiles/ci: must NOT have additional properties 'seq_len'");
    const tier = structuredClone(tiersJson);
    Object.assign(tier.tiers.balanced.spectral.kappa, { router: 1 });
    expect(problemsOf(tier)).toContain("/tiers/balanced/spectral/kappa: must NOT have additional properties 'router'");
  });

  it('rejects a missing tier, a wrong type and an out-of-range value', () => {
    const missing = structuredClone(tiersJson) as { tiers: Record<string, unknown> };
    delete missing.tiers['aggressive'];
    expect(problemsOf(missing).some((p) => p.startsWith('/tiers:'))).toBe(true);
    const wrong = structuredClone(tiersJson);
    Object.assign(wrong.tiers.balanced.primary_metric, { ratio_limit: '1.1' });
    expect(problemsOf(wrong).some((p) => p.startsWith('/tiers/balanced/primary_metric/ratio_limit'))).toBe(true);
    const range = structuredClone(tiersJson);
    Object.assign(range.statistics, { alpha: 1.5 });
    expect(problemsOf(range).some((p) => p.startsWith('/statistics/alpha'))).toBe(true);
  });
});
