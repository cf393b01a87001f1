import { THRESHOLD_FAMILY, WEIGHT_FAMILIES, type WeightFamily } from '../../edits/index.js';
import { statusOf } from '../guard-status.js';
import { twoSidedPValue } from './p-value.js';
import type { GuardResult, GuardViolation, SpectralInput, SpectralPolicy, WeightStats } from '../types.js';
import { dropRatio, normCollapseOf } from './degeneracy.js';
import { selectByMultipleTesting } from './multiple-testing.js';


/** One paired weight as the spectral guard saw it. */
export interface SpectralModuleMeasurement {
  readonly key: string;
  readonly module: string;
  readonly family: WeightFamily;
  readonly sigmaBaseline: number;
  readonly sigmaSubject: number;
  /** ρ = σ_subject/σ_baseline (1 when both are 0). */
  readonly ratio: number;
  readonly stableRankRatio: number;
  readonly normCollapseRatio: number;
  /** Telemetry: z against the baseline family distribution; null on the deadband path (std_f = 0). */
  readonly z: number | null;
  readonly pValue: number;
  readonly isCandidate: boolean;
}

/** One family's z-score telemetry. */
export interface SpectralFamilyMeasurement {
  readonly family: WeightFamily;
  readonly modules: number;
  /** Mean and population std of the baseline σ̂ of the family. */
  readonly meanSigmaBaseline: number;
  readonly stdSigmaBaseline: number;
  readonly kappa: number;
  readonly candidates: number;
  /** min p over candidates; null without candidates (not tested). */
  readonly pValue: number | null;
  readonly isSelected: boolean;
}

/** What the spectral guard measured. */
export interface SpectralMeasurements {
  readonly modules: readonly SpectralModuleMeasurement[];
  readonly paired: number;
  /** Weights present on one side only (the invariants guard reports them). */
  readonly unpaired: number;
  readonly deadband: number;
  readonly maxCaps: number;
  /** Budgeted violations (|ρ − 1| > deadband). */
  readonly caps: number;
  readonly maxAbsDeviation: number;
  readonly families: readonly SpectralFamilyMeasurement[];
  readonly multipleTesting: { readonly method: 'bh' | 'bonferroni'; readonly alpha: number; readonly m: number; readonly mEff: number; readonly selected: readonly WeightFamily[] };
  /** Telemetry: candidates in the selected families (InvarLock's caps). */
  readonly zCaps: number;
}

/**
 * The spectral guard (ALGORITHMS.md §5, ours): for each weight present in both models with at least
 * two rows and columns, ρ = σ̂_subject/σ̂_baseline. `spectral_ratio` (budgeted) when |ρ − 1| >
 * deadband; more than `maxCaps` of them fail the guard, fewer warn. Fatal: a NaN/Inf weight
 * (`spectral_nonfinite`), a non-finite ρ (`spectral_ratio_nonfinite`, σ̂_baseline = 0 < σ̂_subject),
 * stable-rank ratio below `stableRankFatal` (`stable_rank_drop`; below `stableRankWarn` a warning),
 * norm-collapse ratio below `normCollapseFatal` (`norm_collapse`; below `normCollapseWarn` a warning).
 * Telemetry only (never changes the status): z_i = (σ̂_subject,i − mean_f)/std_f over the baseline
 * family (population std); candidates |z| > κ_f (on the deadband path, std_f = 0: |σ̂/mean_f − 1| >
 * deadband, p = 0 for a candidate, else 1); p = erfc(|z|/√2); family p = min over candidates; families
 * selected by BH/Bonferroni with m_eff = max(m, families with candidates, 1).
 */
export function evaluateSpectral(input: SpectralInput, policy: SpectralPolicy): GuardResult<SpectralMeasurements> {
  const subjectByKey = new Map(input.subject.map((w) => [w.key, w]));
  const pairs: { base: WeightStats; subject: WeightStats }[] = [];
  for (const base of input.baseline) {
    const subject = subjectByKey.get(base.key);
    if (subject !== undefined && isMatrix(base) && isMatrix(subject)) pairs.push({ base, subject });
  }
  const baselineKeys = new Set(input.baseline.map((w) => w.key));
  const unpaired = input.baseline.filter((w) => !subjectByKey.has(w.key)).length + input.subject.filter((w) => !baselineKeys.has(w.key)).length;
  // Every family the tiers set thresholds for is reported (empty ones too); `experts` and `cross_attn` only in
  // a model that has them, so a dense decoder's certificate is what it was before MoE and seq2seq support.
  const reported = WEIGHT_FAMILIES.filter((f) => (f !== 'experts' && f !== 'cross_attn') || pairs.some((p) => p.base.family === f));
  // A family's σ̂ distribution pools all its matrices: for `experts` every expert of every block, so one
  // expert that moves away from its siblings stands out in z, and the family's p is its most extreme expert's.
  const familyStats = new Map(reported.map((family) => [family, distributionOf(pairs.filter((p) => p.base.family === family).map((p) => p.base.stats.sigmaMax))]));
  const violations: GuardViolation[] = [];
  const modules: SpectralModuleMeasurement[] = [];
  let maxAbsDeviation = 0;
  for (const { base, subject } of pairs) {
    const at = (code: string, severity: GuardViolation['severity'], message: string, value: number | null, threshold: number | null): void => {
      violations.push({ code, severity, key: base.key, module: base.module, family: base.family, message, value, threshold });
    };
    const sb = base.stats.sigmaMax;
    const ss = subject.stats.sigmaMax;
    const nonFinite = base.stats.nonFinite + subject.stats.nonFinite;
    const ratio = sb === 0 && ss === 0 ? 1 : ss / sb;
    if (nonFinite > 0) {
      at('spectral_nonfinite', 'fatal', `${base.module} holds ${nonFinite} NaN/Inf value(s)`, nonFinite, 0);
    } else if (!Number.isFinite(ratio)) {
      at('spectral_ratio_nonfinite', 'fatal', `${base.module}: σ̂ ratio ${ss}/${sb} is not finite`, null, policy.deadband);
    } else {
      const deviation = Math.abs(ratio - 1);
      maxAbsDeviation = Math.max(maxAbsDeviation, deviation);
      if (deviation > policy.deadband) at('spectral_ratio', 'budgeted', `${base.module}: σ̂ ratio ${ratio.toFixed(4)} is outside 1 ± ${policy.deadband}`, deviation, policy.deadband);
    }
    const stableRankRatio = dropRatio(subject.stats.stableRank, base.stats.stableRank);
    const normCollapseRatio = dropRatio(normCollapseOf(subject.stats), normCollapseOf(base.stats));
    const { degeneracy } = policy;
    if (nonFinite === 0) {
      if (stableRankRatio < degeneracy.stableRankWarn) {
        const isFatal = stableRankRatio < degeneracy.stableRankFatal;
        at('stable_rank_drop', isFatal ? 'fatal' : 'warning', `${base.module}: stable rank fell to ${stableRankRatio.toFixed(3)} of the baseline's`, stableRankRatio, isFatal ? degeneracy.stableRankFatal : degeneracy.stableRankWarn);
      }
      if (normCollapseRatio < degeneracy.normCollapseWarn) {
        const isFatal = normCollapseRatio < degeneracy.normCollapseFatal;
        at('norm_collapse', isFatal ? 'fatal' : 'warning', `${base.module}: smallest row/column norm fell to ${normCollapseRatio.toFixed(3)} of the baseline's (relative to the median)`, normCollapseRatio, isFatal ? degeneracy.normCollapseFatal : degeneracy.normCollapseWarn);
      }
    }
    const family = familyStats.get(base.family) ?? { mean: 0, std: 0 };
    const kappa = policy.kappa[THRESHOLD_FAMILY[base.family]];
    let z: number | null = null;
    let pValue = 1;
    let isCandidate: boolean;
    if (family.std > 0) {
      z = (ss - family.mean) / family.std;
      pValue = twoSidedPValue(z);
      isCandidate = Math.abs(z) > kappa;
    } else {
      isCandidate = family.mean > 0 ? Math.abs(ss / family.mean - 1) > policy.deadband : ss > 0;
      pValue = isCandidate ? 0 : 1;
    }
    modules.push({ key: base.key, module: base.module, family: base.family, sigmaBaseline: sb, sigmaSubject: ss, ratio, stableRankRatio, normCollapseRatio, z, pValue, isCandidate });
  }
  const tested = reported.filter((f) => modules.some((m) => m.family === f && m.isCandidate));
  const familyP = tested.map((f) => Math.min(...modules.filter((m) => m.family === f && m.isCandidate).map((m) => m.pValue)));
  const outcome = selectByMultipleTesting(familyP, policy.multipleTesting);
  const selected = outcome.selected.map((i) => tested[i]).filter((f): f is WeightFamily => f !== undefined);
  const families = reported.map((family): SpectralFamilyMeasurement => {
    const members = modules.filter((m) => m.family === family);
    const dist = familyStats.get(family) ?? { mean: 0, std: 0 };
    const index = tested.indexOf(family);
    return {
      family,
      modules: members.length,
      meanSigmaBaseline: dist.mean,
      stdSigmaBaseline: dist.std,
      kappa: policy.kappa[THRESHOLD_FAMILY[family]],
      candidates: members.filter((m) => m.isCandidate).length,
      pValue: index >= 0 ? (familyP[index] ?? null) : null,
      isSelected: selected.includes(family),
    };
  });
  const caps = violations.filter((v) => v.severity === 'budgeted').length;
  const measurements: SpectralMeasurements = {
    modules,
    paired: pairs.length,
    unpaired,
    deadband: policy.deadband,
    maxCaps: policy.maxCaps,
    caps,
    maxAbsDeviation,
    families,
    multipleTesting: { ...policy.multipleTesting, mEff: outcome.mEff, selected },
    zCaps: modules.filter((m) => m.isCandidate && selected.includes(m.family)).length,
  };
  if (pairs.length === 0) {
    return { guard: 'spectral', status: 'not_evaluated', evaluated: false, reason: 'no 2-D weight is present in both models', measurements, violations };
  }
  const status = statusOf(violations, policy.maxCaps);
  const reason = status !== 'fail' ? undefined : (violations.find((v) => v.severity === 'fatal')?.message ?? capsReason(violations, policy.maxCaps, policy.deadband));
  return { guard: 'spectral', status, evaluated: true, ...(reason === undefined ? {} : { reason }), measurements, violations };
}

/** Why the σ̂ budget failed, naming the weight that moved most: a reviewer's first place to look. */
function capsReason(violations: readonly GuardViolation[], maxCaps: number, deadband: number): string {
  const capped = violations.filter((v) => v.severity === 'budgeted');
  const largest = capped.reduce<GuardViolation | undefined>((best, v) => (best === undefined || (v.value ?? 0) > (best.value ?? 0) ? v : best), undefined);
  const where = largest === undefined ? '' : `; largest ${largest.module ?? largest.key ?? 'weight'} |ρ − 1| = ${(largest.value ?? 0).toFixed(4)}`;
  return `${capped.length} weights moved σ̂max beyond 1 ± ${deadband} (budget ${maxCaps})${where}`;
}

function isMatrix(weight: WeightStats): boolean {
  return weight.role !== 'norm' && weight.stats.rows >= 2 && weight.stats.cols >= 2;
}

function distributionOf(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}
