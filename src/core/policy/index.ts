/**
 * Policy: tiers and profiles from `contracts/tiers.json`, resolved into one frozen record per run,
 * its digest, and the coverage check of counts against the tier's floors. Re-exported by
 * `src/core/index.ts`.
 */
export { resolvePolicy, PROFILE_NAMES, TIER_NAMES, type ResolvePolicyOptions } from './resolve-policy.js';
export { loadTiers, parseTiersFile } from './load-tiers.js';
export { policyDigest } from './policy-digest.js';
export { bundledPolicy, BUNDLED_POLICIES, configuredPolicy, parsePolicyFile } from './accepted-policy.js';
export { coverageShortfall, plannedCounts, type CoverageCounts, type CoverageGap, type CoverageReport } from './coverage-shortfall.js';
export type {
  Band,
  DeepPartial,
  FamilyValues,
  GuardSettings,
  Policy,
  PolicyOverrides,
  PolicyThresholds,
  ProfileSpec,
  SeedOffsets,
  SeedPurpose,
  TierSpec,
  TiersFile,
  VarianceSettings,
  VarianceThresholds,
} from './types.js';
export { planWindows, type PlanSample, type ProfilePlan, type WindowPlan } from './plan-windows.js';
