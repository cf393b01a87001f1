/**
 * Every tier decided from ONE certify run per (fixture, case, seed): the run is made in one tier
 * (the measurement tier) and records the statistic behind each gate (outcome.ts); another tier's
 * gates are those statistics against that tier's thresholds (contracts/tiers.json as resolved by
 * `resolvePolicy`), with the same rules `verify` re-derives (src/report/derive/decide-guards.ts):
 *
 * - primary metric: the catastrophe stop, or the upper CI bound above L + hysteresis;
 * - drift: the final/preview ratio outside the drift band;
 * - invariants: as recorded (the same checks and mode in every tier);
 * - spectral: a fatal finding, or more than max_caps modules with |ρ − 1| above the deadband;
 * - RMT: a family's edge ratio above (1 + ε_family)·baseline, or not finite.
 *
 * A guard in `advisory` mode in a tier (tiers.json `<guard>.mode`) is still decided and counted
 * in its own column but never fails the verdict: its failure makes the verdict at most `warn`.
 * The statistics and the window draw do not depend on the tier; what may differ between tiers
 * without being re-run is the variance guard's choice in edit mode (it is tier-specific), which the
 * calibration reports as a count of runs where it acted.
 */
import { resolvePolicy, type TierName } from '../../src/core/index.js';
import type { VerdictStatus } from '../../src/report/index.js';
import { classOf, harmBand, type TrueHarm } from './harm.js';
import type { GateId, RunOutcome } from './outcome.js';

/** Guards that a tier may make advisory. */
export type AdvisoryGuard = 'spectral' | 'rmt';

/** The thresholds of one tier that the re-decision uses. */
export interface TierRules {
  readonly tier: TierName;
  readonly ratioLimit: number;
  readonly hysteresis: number;
  readonly catastropheRatio: number;
  readonly driftBand: readonly [number, number];
  readonly deadband: number;
  readonly maxCaps: number;
  readonly epsilon: Readonly<Record<'attn' | 'ffn' | 'embed' | 'other', number>>;
  readonly modes: Readonly<Record<AdvisoryGuard, 'gate' | 'advisory'>>;
}

/** The rules of a tier as contracts/tiers.json says today (dev profile: thresholds do not depend on the profile). */
export function tierRules(tier: TierName): TierRules {
  const th = resolvePolicy({ tier, profile: 'dev' }).thresholds;
  return {
    tier,
    ratioLimit: th.primary_metric.ratio_limit,
    hysteresis: th.primary_metric.hysteresis,
    catastropheRatio: th.catastrophe_ratio,
    driftBand: [th.drift_band[0], th.drift_band[1]],
    deadband: th.spectral.deadband,
    maxCaps: th.spectral.max_caps,
    epsilon: th.rmt.epsilon,
    modes: { spectral: th.spectral.mode, rmt: th.rmt.mode },
  };
}

/** The gates' flags of a measured run under `rules` (the verdict excluded). */
export function gateFlags(m: RunOutcome, rules: TierRules): Record<Exclude<GateId, 'verdict'>, boolean> {
  if (m.verdict === 'error' && m.stats.ratio === null && m.stats.preview_ratio === null) {
    return { primary_metric: false, drift: false, invariants: false, spectral: false, rmt: false };
  }
  const s = m.stats;
  const catastrophe = s.preview_ratio !== null && s.preview_ratio > rules.catastropheRatio && s.ratio === null;
  const recordedCatastrophe = m.reasons.some((r) => r.startsWith('catastrophe:'));
  const top = s.spectral_top_changes;
  const capsBeyond = top !== null && (top[rules.maxCaps] ?? 0) > rules.deadband;
  const families = ['attn', 'ffn', 'embed', 'other'] as const;
  const rmtGrowth = families.some((f) => {
    const g = s.rmt_growth_by_family[f];
    return g !== null && g > rules.epsilon[f];
  });
  return {
    primary_metric: catastrophe || recordedCatastrophe || (s.ratio_ci_high !== null && s.ratio_ci_high > rules.ratioLimit + rules.hysteresis),
    drift: s.drift !== null && (s.drift < rules.driftBand[0] || s.drift > rules.driftBand[1]),
    invariants: m.flagged.invariants,
    spectral: (s.spectral_fatal ?? 0) > 0 || capsBeyond,
    rmt: (m.rmt_nonfinite ?? false) || rmtGrowth,
  };
}

/**
 * The run `m` (measured in any tier) decided in the tier of `rules`, classed by its true harm.
 * Non-gate reasons that stopped the recorded run (none of the gates above explains them) keep
 * stopping it: they do not depend on a threshold the tiers differ in.
 */
export function redecide(m: RunOutcome, rules: TierRules, harm: TrueHarm | null): RunOutcome {
  const flags = gateFlags(m, rules);
  const recordedGates = (['primary_metric', 'drift', 'invariants', 'spectral', 'rmt'] as const).some((g) => m.flagged[g]);
  const unexplained = m.verdict === 'error' || (m.verdict === 'fail' && !recordedGates);
  const advisory = (['spectral', 'rmt'] as const).filter((g) => rules.modes[g] === 'advisory' && flags[g]);
  const stops = flags.primary_metric || flags.drift || flags.invariants || (flags.spectral && rules.modes.spectral === 'gate') || (flags.rmt && rules.modes.rmt === 'gate');
  const verdict: VerdictStatus =
    m.verdict === 'error' ? 'error' : stops || unexplained ? 'fail' : advisory.length > 0 || m.verdict === 'warn' || flags.spectral ? 'warn' : 'pass';
  return {
    ...m,
    tier: rules.tier,
    class: harm === null ? 'grey' : classOf(harm, harmBand(rules.ratioLimit)),
    true_ratio: harm?.ratio ?? null,
    verdict,
    advisory,
    flagged: { verdict: verdict === 'fail' || verdict === 'error', ...flags },
  };
}
