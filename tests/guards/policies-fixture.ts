import type { RmtPolicy, SpectralPolicy, VariancePolicy } from '../../src/guards/index.js';

/** The balanced tier's guard numbers from ALGORITHMS.md §1, §5 and §8 (core maps them from contracts/tiers.json). */
export const BALANCED_SPECTRAL: SpectralPolicy = {
  deadband: 0.1,
  maxCaps: 5,
  kappa: { ffn: 3.849, attn: 3.018, embed: 1.05, other: 0 },
  multipleTesting: { method: 'bh', alpha: 0.05, m: 4 },
  degeneracy: { stableRankWarn: 0.5, stableRankFatal: 0.25, normCollapseWarn: 0.25, normCollapseFatal: 0.1 },
};

export const BALANCED_RMT: RmtPolicy = { epsilon: { ffn: 0.01, attn: 0.01, embed: 0.01, other: 0.01 } };

export const BALANCED_VE: VariancePolicy = {
  scope: 'ffn',
  maxCalib: 200,
  abWindows: 8,
  minCoverage: 6,
  seed: 123,
  clamp: [0.85, 1.12],
  deadband: 0.02,
  minAbsAdjust: 0.012,
  maxScaleStep: 0.03,
  topkBackstop: 1,
  maxAdjustedModules: 1,
  minGain: 0,
  minRelGain: 0.001,
  minAbsGain: 0.05,
  tieBreakerDeadband: 0.001,
  minEffectLognll: 0,
  sidedness: 'one_sided',
  replicates: 500,
  alpha: 0.05,
};

export const CONSERVATIVE_VE: VariancePolicy = {
  ...BALANCED_VE,
  maxCalib: 160,
  abWindows: 10,
  minCoverage: 8,
  seed: 42,
  deadband: 0.03,
  minAbsAdjust: 0.02,
  maxScaleStep: 0.015,
  topkBackstop: 0,
  maxAdjustedModules: 0,
  minGain: 0.01,
  minRelGain: 0.002,
  tieBreakerDeadband: 0.005,
  minEffectLognll: 0.016,
  sidedness: 'two_sided',
};
