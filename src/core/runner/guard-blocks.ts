import { WEIGHT_FAMILIES } from '../../adapters/index.js';
import type {
  GuardResult,
  GuardViolation,
  InvariantsMeasurements,
  RmtMeasurements,
  SpectralMeasurements,
  VarianceMeasurements,
} from '../../guards/index.js';
import type { GuardBlock, Guards, Violation } from '../../report/index.js';
import type * as Cert from '../../report/index.js';

/** A number, or null when not finite: the certificate never holds NaN or Infinity. */
function finite(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}

function violationOf(v: GuardViolation): Violation {
  return {
    code: v.code,
    // budgeted violations count against a budget; on their own they are warnings
    severity: v.severity === 'fatal' ? 'fatal' : 'warning',
    module: v.module,
    family: v.family,
    message: v.message,
    value: finite(v.value),
    threshold: finite(v.threshold),
  };
}

function block<M, C>(result: GuardResult<M>, map: (m: M) => C): GuardBlock<C> {
  return {
    status: result.status,
    evaluated: result.evaluated,
    reason: result.reason ?? null,
    measurements: result.evaluated || result.status !== 'not_evaluated' ? map(result.measurements) : null,
    violations: result.violations.map(violationOf),
  };
}

/** A guard block for a guard that did not run, with the reason. */
export function notRunBlock<C>(reason: string): GuardBlock<C> {
  return { status: 'not_evaluated', evaluated: false, reason, measurements: null, violations: [] };
}

/** Invariants guard result → certificate block. */
export function invariantsBlock(result: GuardResult<InvariantsMeasurements>): GuardBlock<Cert.InvariantsMeasurements> {
  return block(result, (m) => ({
    param_count: { baseline: finite(m.paramCount.baseline), subject: finite(m.paramCount.subject) },
    structure_hash: { baseline: m.structureHash.baseline, subject: m.structureHash.subject },
    nonfinite_weights: m.nonFiniteTensors.reduce((sum, t) => sum + t.count, 0),
    weights_tied: { baseline: m.ties.length > 0, subject: m.ties.length > 0 && m.ties.every((t) => t.isKept) },
    missing_modules: result.violations.filter((v) => v.code.includes('missing')).length,
  }));
}

/** Spectral guard result → certificate block; `layers` maps weight keys to block indices. */
export function spectralBlock(result: GuardResult<SpectralMeasurements>, layers: ReadonlyMap<string, number | null>): GuardBlock<Cert.SpectralMeasurements> {
  return block(result, (m) => ({
    modules: m.modules.map((mod) => ({
      module: mod.module,
      family: mod.family,
      layer: layers.get(mod.key) ?? null,
      sigma_baseline: finite(mod.sigmaBaseline),
      sigma_subject: finite(mod.sigmaSubject),
      ratio: finite(mod.ratio),
      stable_rank_ratio: finite(mod.stableRankRatio),
      norm_collapse_ratio: finite(mod.normCollapseRatio),
    })),
    families: WEIGHT_FAMILIES.flatMap((family) => {
      const fam = m.families.find((f) => f.family === family);
      const mods = m.modules.filter((x) => x.family === family);
      if (fam === undefined && mods.length === 0) return [];
      const changes = mods.map((x) => Math.abs(x.ratio - 1)).filter(Number.isFinite);
      const zs = mods.map((x) => (x.z === null ? Number.NaN : Math.abs(x.z))).filter(Number.isFinite);
      return [
        {
          family,
          modules: mods.length,
          violations: result.violations.filter((v) => v.family === family).length,
          max_abs_change: changes.length === 0 ? null : Math.max(...changes),
          z_max: zs.length === 0 ? null : Math.max(...zs),
          p_value: finite(fam?.pValue),
          selected: fam?.isSelected ?? false,
        },
      ];
    }),
    caps: m.caps,
    fatal: result.violations.filter((v) => v.severity === 'fatal').length,
  }));
}

/** RMT guard result → certificate block. */
export function rmtBlock(result: GuardResult<RmtMeasurements>): GuardBlock<Cert.RmtMeasurements> {
  return block(result, (m) => ({
    windows: m.windows.length,
    families: m.families.map((f) => {
      const outliers = (m.mpOutliers ?? []).filter((o) => o.family === f.family);
      return {
        family: f.family,
        baseline: finite(f.baseline),
        subject: finite(f.subject),
        outliers_baseline: m.mpOutliers === null ? null : outliers.reduce((s, o) => s + o.baseline, 0),
        outliers_subject: m.mpOutliers === null ? null : outliers.reduce((s, o) => s + o.subject, 0),
      };
    }),
    modules: m.modules.map((mod) => ({ module: mod.module, family: mod.family, baseline: finite(mod.baseline), subject: finite(mod.subject) })),
  }));
}

/** Variance guard result → certificate block; `modules` maps tap keys to module paths. */
export function varianceBlock(result: GuardResult<VarianceMeasurements>, modules: ReadonlyMap<string, string>): GuardBlock<Cert.VarianceMeasurements> {
  const m = result.measurements;
  const gate = m.gate;
  const evaluatedGate = gate !== null && gate.status !== 'insufficient_coverage' ? gate : null;
  return {
    status: result.status,
    evaluated: result.evaluated,
    reason: result.reason ?? null,
    measurements: {
      mode: m.mode,
      enabled: m.isEnabled,
      ab_windows: gate?.windows ?? 0,
      delta_mean: finite(evaluatedGate?.meanDelta),
      delta_ci: evaluatedGate === null || !Number.isFinite(evaluatedGate.ci.low) || !Number.isFinite(evaluatedGate.ci.high) ? null : [evaluatedGate.ci.low, evaluatedGate.ci.high],
      gain_abs: finite(m.decision?.absGain),
      gain_rel: finite(m.decision?.relGain),
      predictive_gate: evaluatedGate === null ? 'not_run' : evaluatedGate.status,
      scales: Object.entries(m.proposal.scales)
        .filter(([, s]) => Number.isFinite(s))
        .map(([key, scale]) => ({ module: modules.get(key) ?? key, scale }))
        .sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0)),
    },
    violations: result.violations.map(violationOf),
  };
}

/** The four blocks together. */
export type GuardBlocks = Guards;
