import type { Band, GuardSettings, PerFamily, PolicyBlock, ProfileName, Thresholds, TierName, VarianceSettings, VarianceThresholds } from '../../report/index.js';

export type { Band, GuardSettings, VarianceSettings, VarianceThresholds };

// The policy record is the certificate's `policy` block: one shape, defined by the report layer.
/** A value per weight family. */
export type FamilyValues = PerFamily;

/** The purposes that draw from their own seeded stream (ALGORITHMS.md §7). */
export type SeedPurpose = keyof PolicyBlock['seed_offsets'];

/** Fixed offset per purpose: the purpose's seed is (run seed + offset) mod 2^32. */
export type SeedOffsets = PolicyBlock['seed_offsets'];

/**
 * Every threshold a gate or guard decides with: exactly the certificate's `policy.thresholds`, so
 * the runner records it as is and `verify` re-decides from the recorded copy.
 */
export type PolicyThresholds = Thresholds;

/**
 * The fully resolved policy of a run: a tier and a profile merged, overrides applied, deep-frozen,
 * no optional field. `contracts/tiers.schema.json#/$defs/policy` describes it; its canonical JSON
 * is what {@link policyDigest} hashes.
 */
export type Policy = PolicyBlock;

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
  /** Early stopping runs may choose; absent: none. */
  readonly sequential?: { readonly spending: 'obrien_fleming'; readonly max_looks: number };
  readonly profiles: { readonly [P in ProfileName]: ProfileSpec };
  readonly tiers: { readonly [T in TierName]: TierSpec };
  /** JSON pointer → where the number came from (bench/calibration/THRESHOLDS.md); not part of any policy. */
  readonly provenance?: Readonly<Record<string, string>>;
}
