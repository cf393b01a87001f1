import type { InvariantsPolicy, RmtPolicy, SpectralPolicy } from '../../guards/index.js';
import type { Policy } from '../policy/index.js';

/** The spectral guard's policy from the run policy (tiers.json names → the guard's own). */
export function spectralPolicyOf(policy: Policy): SpectralPolicy {
  const s = policy.thresholds.spectral;
  return {
    deadband: s.deadband,
    maxCaps: s.max_caps,
    kappa: { ...s.kappa },
    // m = 0: the guard counts the families with candidates (m_eff = max(m, families, 1))
    multipleTesting: { method: s.multiple_testing.method, alpha: s.multiple_testing.alpha, m: 0 },
    degeneracy: {
      stableRankWarn: s.stable_rank_warn,
      stableRankFatal: s.stable_rank_fatal,
      normCollapseWarn: s.norm_collapse_warn,
      normCollapseFatal: s.norm_collapse_fatal,
    },
  };
}

/** The RMT guard's policy: ε per family. */
export function rmtPolicyOf(policy: Policy): RmtPolicy {
  return { epsilon: { ...policy.thresholds.rmt.epsilon } };
}

/** Invariants: `strict` when the tier or the config asks for it. */
export function invariantsPolicyOf(policy: Policy, configMode: 'on' | 'off' | 'strict'): InvariantsPolicy {
  return { mode: configMode === 'strict' || policy.thresholds.invariants.mode === 'strict' ? 'strict' : 'standard' };
}
