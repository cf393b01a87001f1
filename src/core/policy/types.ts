import type { ProfileName, TierName } from '../config/index.js';

/** A value per weight family. */
export interface FamilyValues {
  readonly attn: number;
  readonly ffn: number;
  readonly embed: number;
  readonly other: number;
}

/** `[low, high]`, both ends inclusive. */
export type Band = readonly [number, number];

/** The purposes that draw from their own seeded stream (ALGORITHMS.md §7). */
export type SeedPurpose = 'window_draw' | 'mlm_mask' | 'bootstrap' | 'variance';

/** Fixed offset per purpose: the purpose's seed is (run seed + offset) mod 2^32. */
export type SeedOffsets = { readonly [P in SeedPurpose]: number };

/** The VE predictive-gate and enable thresholds (certificate shape). */
export interface VarianceThresholds {
  /** The CI must clear this effect, nats. */
  readonly min_effect_lognll: number;
  readonly sidedness: 'one_sided' | 'two_sided';
  readonly min_rel_gain: number;
  /** Absolute perplexity gain needed to enable VE. */
  readonly min_abs_gain: number;
}

/** How the variance guard estimates and applies its scales (ALGORITHMS.md §5, §8). */
export interface VarianceSettings {
  readonly scope: readonly ('ffn' | 'attn_out')[];
  readonly max_calib: number;
  /** Scale windows = min(max_calib / scale_windows_divisor, max_scale_windows). */
  readonly scale_windows_divisor: number;
  readonly max_scale_windows: number;
  /** K: A/B windows. */
  readonly ab_windows: number;
  readonly min_coverage: number;
  readonly seed: number;
  readonly clamp: Band;
  readonly deadband: number;
  readonly min_abs_adjust: number;
  readonly max_scale_step: number;
  readonly topk_backstop: number;
  /** 0 = no cap. */
  readonly max_adjusted_modules: number;
  readonly min_gain: number;
  readonly tie_breaker_deadband: number;
  readonly bootstrap_replicates: number;
  /** Quantile band the E[y²] samples are winsorised to. */
  readonly winsorize: Band;
  readonly winsorize_min_samples: number;
  readonly max_chunks: number;
}

/**
 * Every threshold a gate or guard decides with: exactly the certificate's `policy.thresholds`, so
 * the runner records it as is and `verify` re-decides from the recorded copy.
 */
export interface PolicyThresholds {
  readonly primary_metric: {
    readonly ratio_limit: number;
    readonly hysteresis: number;
    /** Percentage points. */
    readonly accuracy_delta_limit_pp: number;
    readonly accuracy_min_examples: number;
    /** Scored tokens, preview + final. */
    readonly token_floor: number;
    readonly window_floor_preview: number;
    readonly window_floor_final: number;
    readonly floors: 'enforced' | 'informational';
  };
  readonly bootstrap: {
    readonly method: 'bca_weighted' | 'percentile_weighted';
    readonly replicates: number;
    readonly min_replicates: number;
    /** Two-sided. */
    readonly alpha: number;
  };
  readonly drift_band: Band;
  readonly catastrophe_ratio: number;
  readonly tail: { readonly p95_limit: number; readonly mass_threshold: number; readonly mode: 'warn' | 'fail' };
  readonly spectral: {
    readonly deadband: number;
    readonly max_caps: number;
    /** z-caps per family (telemetry); 0 = no cap. */
    readonly kappa: FamilyValues;
    readonly multiple_testing: { readonly method: 'bh' | 'bonferroni'; readonly alpha: number };
    readonly stable_rank_warn: number;
    readonly stable_rank_fatal: number;
    readonly norm_collapse_warn: number;
    readonly norm_collapse_fatal: number;
  };
  readonly rmt: { readonly epsilon: FamilyValues };
  readonly guard_overhead: { readonly limit: number };
  readonly invariants: { readonly mode: 'on' | 'strict' };
  readonly variance: VarianceThresholds;
}

/** How guards measure; thresholds decide on what they measure. */
export interface GuardSettings {
  readonly spectral: { readonly power_iterations: number };
  readonly rmt: { readonly calibration_windows: number; readonly power_iterations: number };
  readonly variance: VarianceSettings;
}

/**
 * The fully resolved policy of a run: a tier and a profile merged, overrides applied, deep-frozen,
 * no optional field. `contracts/tiers.schema.json#/$defs/policy` describes it; its canonical JSON
 * is what {@link policyDigest} hashes.
 */
export interface Policy {
  readonly schema_version: 1;
  readonly tier: TierName;
  readonly profile: ProfileName;
  /** `dev`: not release evidence. */
  readonly evidence: 'dev' | 'release';
  readonly windows: { readonly preview_n: number; readonly final_n: number };
  readonly thresholds: PolicyThresholds;
  readonly guards: GuardSettings;
  readonly statistics: { readonly z0_clip: number };
  readonly seed_offsets: SeedOffsets;
  /** Dotted paths of the values overrides set, sorted; empty without overrides. */
  readonly overridden: readonly string[];
}

/** Deep partial where arrays and tuples are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * What a run may override: sample sizes, thresholds, guard settings. The tier, profile, evidence,
 * seed offsets and `thresholds.primary_metric.floors` follow from the tier and profile and cannot be
 * overridden.
 */
export type PolicyOverrides = DeepPartial<Pick<Policy, 'windows' | 'thresholds' | 'guards' | 'statistics'>>;

/** One profile of `contracts/tiers.json`. */
export interface ProfileSpec {
  readonly description: string;
  readonly preview_n: number;
  readonly final_n: number;
  readonly bootstrap_replicates: number;
  readonly evidence: 'dev' | 'release';
  readonly floors: 'enforced' | 'informational';
}

/** One tier of `contracts/tiers.json`. */
export interface TierSpec {
  readonly description: string;
  readonly primary_metric: {
    readonly ratio_limit: number;
    readonly hysteresis: number;
    readonly token_floor: number;
    readonly window_floor_preview: number;
    readonly window_floor_final: number;
    readonly min_replicates: number;
  };
  readonly accuracy: { readonly delta_limit_pp: number; readonly min_examples: number };
  readonly drift_band: Band;
  readonly catastrophe_ratio: number;
  readonly tail: PolicyThresholds['tail'];
  readonly guard_overhead: PolicyThresholds['guard_overhead'];
  readonly invariants: PolicyThresholds['invariants'];
  readonly spectral: PolicyThresholds['spectral'] & GuardSettings['spectral'];
  readonly rmt: PolicyThresholds['rmt'] & GuardSettings['rmt'];
  readonly variance: { readonly thresholds: VarianceThresholds; readonly settings: VarianceSettings };
}

/** `contracts/tiers.json` as validated by `contracts/tiers.schema.json`. */
export interface TiersFile {
  readonly schema_version: 1;
  readonly statistics: { readonly bootstrap_method: 'bca_weighted' | 'percentile_weighted'; readonly alpha: number; readonly z0_clip: number };
  readonly seed_offsets: SeedOffsets;
  readonly profiles: { readonly [P in ProfileName]: ProfileSpec };
  readonly tiers: { readonly [T in TierName]: TierSpec };
}
