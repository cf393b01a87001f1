/**
 * One calibration run's outcome: what each gate decided for one subject under one (fixture, tier,
 * seed), plus the statistic each gate thresholds, so a proposed threshold can be checked against
 * the recorded runs. Outcomes carry no timings or paths: the digest of the outcomes depends only on
 * the fixtures, the policy, the data and the seeds.
 */
import type { Certificate, VerdictStatus } from '../../src/report/index.js';
import type { CaseClass, CaseIntent } from './cases.js';

/** The gates the calibration reports separately, in table order. */
export const GATES = ['verdict', 'primary_metric', 'drift', 'invariants', 'spectral', 'rmt'] as const;
export type GateId = (typeof GATES)[number];

/** What one certificate said about one subject. */
export interface RunOutcome {
  readonly fixture: string;
  readonly tier: string;
  readonly seed: number;
  readonly case: string;
  /** What the case's edit is meant to be (cases.ts). */
  readonly intent: CaseIntent;
  /** Whether the gate should pass the run in this tier, by its true harm (harm.ts); `grey` is excluded from the rates. */
  readonly class: CaseClass;
  /** The subject's perplexity ratio on the held-out set (truth.ts); null when not finite or not measured. */
  readonly true_ratio: number | null;
  /** Block the subject edited (scaled/zeroed block cases), else null. */
  readonly layer: number | null;
  /** The seeded subject's variant (seed mod VARIANTS), else null. */
  readonly variant: number | null;
  readonly verdict: VerdictStatus;
  /** Guards that failed in this tier but are advisory there (the verdict stays at most warn). */
  readonly advisory: readonly string[];
  /** An RMT family with a positive baseline whose subject edge ratio is not finite (fails at any ε). */
  readonly rmt_nonfinite: boolean;
  /** `gate:code` of every verdict reason, in the certificate's order. */
  readonly reasons: readonly string[];
  /** Which gates stopped the subject (verdict: fail or error). */
  readonly flagged: Readonly<Record<GateId, boolean>>;
  /** Guard statuses as the certificate reports them (`pass`, `warn`, `fail`, `not_evaluated`). */
  readonly guards: { readonly invariants: string; readonly spectral: string; readonly rmt: string; readonly variance: string };
  /** The statistics behind the gates, rounded to 6 significant digits; null when not measured. */
  readonly stats: {
    readonly ratio: number | null;
    readonly ratio_ci_high: number | null;
    readonly preview_ratio: number | null;
    readonly drift: number | null;
    /** Modules with |σ_subject/σ_baseline − 1| above the tier's deadband. */
    readonly spectral_caps: number | null;
    readonly spectral_fatal: number | null;
    /**
     * The largest |σ_subject/σ_baseline − 1| over modules, descending, at most
     * {@link SPECTRAL_TOP} of them (a non-finite ratio counts as 1): caps at any deadband d up to
     * max_caps {@link SPECTRAL_TOP} − 1 follow as "the (m + 1)-th largest exceeds d".
     */
    readonly spectral_top_changes: readonly number[] | null;
    /** max over families with a positive baseline of r_subject / r_baseline − 1 (the RMT ε statistic). */
    readonly rmt_growth: number | null;
    /** The same per family (null: no positive baseline in that family, or not measured). */
    readonly rmt_growth_by_family: { readonly attn: number | null; readonly ffn: number | null; readonly embed: number | null; readonly other: number | null };
  };
}

/** How many of the largest spectral changes an outcome keeps. */
export const SPECTRAL_TOP = 10;

/** Rounds to 6 significant digits so the digest does not hinge on the last bits of a float. */
export function round6(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

/** Where an outcome comes from. */
export interface OutcomeKey {
  readonly fixture: string;
  readonly tier: string;
  readonly seed: number;
  readonly case: string;
  readonly intent: CaseIntent;
  readonly layer: number | null;
  readonly variant: number | null;
}

/**
 * Reads one certificate. A gate counts as stopping the subject when its validation flag is false
 * or its guard failed; the catastrophe stop (preview ratio above the limit, final arm skipped)
 * counts for the primary metric, whose flag is then not evaluated.
 */
export function outcomeOf(key: OutcomeKey, cert: Certificate): RunOutcome {
  const reasons = cert.verdict.reasons.map((r) => `${r.gate}:${r.code}`);
  const catastrophe = cert.verdict.reasons.some((r) => r.gate === 'catastrophe');
  const v = cert.validation;
  const g = cert.guards;
  const spectral = g.spectral.measurements;
  const rmt = g.rmt.measurements;
  const changes = spectral?.modules.map((m) => (m.ratio === null ? 1 : Math.abs(m.ratio - 1))) ?? [];
  const growthOf = (family: 'attn' | 'ffn' | 'embed' | 'other'): number | null => {
    const f = rmt?.families.find((x) => x.family === family);
    return f === undefined || f.baseline === null || f.subject === null || !(f.baseline > 0) ? null : f.subject / f.baseline - 1;
  };
  const byFamily = { attn: round6(growthOf('attn')), ffn: round6(growthOf('ffn')), embed: round6(growthOf('embed')), other: round6(growthOf('other')) };
  const growths = [growthOf('attn'), growthOf('ffn'), growthOf('embed'), growthOf('other')].filter((g): g is number => g !== null);
  const pm = cert.primary_metric;
  const rmtNonfinite = rmt?.families.some((f) => f.baseline !== null && f.baseline > 0 && (f.subject === null || !Number.isFinite(f.subject))) ?? false;
  return {
    ...key,
    class: 'grey',
    true_ratio: null,
    advisory: [],
    rmt_nonfinite: rmtNonfinite,
    verdict: cert.verdict.status,
    reasons,
    flagged: {
      verdict: cert.verdict.status === 'fail' || cert.verdict.status === 'error',
      primary_metric: v.primary_metric_acceptable === false || catastrophe,
      drift: v.drift_acceptable === false,
      invariants: g.invariants.status === 'fail',
      spectral: g.spectral.status === 'fail',
      rmt: g.rmt.status === 'fail',
    },
    guards: { invariants: g.invariants.status, spectral: g.spectral.status, rmt: g.rmt.status, variance: g.variance.status },
    stats: {
      ratio: round6(pm.ratio),
      ratio_ci_high: round6(pm.ratio_ci?.[1]),
      preview_ratio: round6(pm.preview_ratio),
      drift: round6(pm.drift),
      spectral_caps: spectral?.caps ?? null,
      spectral_fatal: spectral === null ? null : g.spectral.violations.filter((x) => x.severity === 'fatal').length,
      spectral_top_changes: changes.length === 0 ? null : [...changes].sort((a, b) => b - a).slice(0, SPECTRAL_TOP).map((c) => round6(c) ?? 1),
      rmt_growth: growths.length === 0 ? null : round6(Math.max(...growths)),
      rmt_growth_by_family: byFamily,
    },
  };
}

/** The outcome of a subject whose certify call threw before it produced a certificate. */
export function errorOutcome(key: OutcomeKey, code: string): RunOutcome {
  return {
    ...key,
    class: 'grey',
    true_ratio: null,
    advisory: [],
    rmt_nonfinite: false,
    verdict: 'error',
    reasons: [`run:${code}`],
    flagged: { verdict: true, primary_metric: false, drift: false, invariants: false, spectral: false, rmt: false },
    guards: { invariants: 'not_evaluated', spectral: 'not_evaluated', rmt: 'not_evaluated', variance: 'not_evaluated' },
    stats: {
      ratio: null,
      ratio_ci_high: null,
      preview_ratio: null,
      drift: null,
      spectral_caps: null,
      spectral_fatal: null,
      spectral_top_changes: null,
      rmt_growth: null,
      rmt_growth_by_family: { attn: null, ffn: null, embed: null, other: null },
    },
  };
}

/** Canonical order of outcomes: fixture, tier, seed, then case. */
export function compareOutcomes(a: Pick<OutcomeKey, 'fixture' | 'tier' | 'seed' | 'case'>, b: Pick<OutcomeKey, 'fixture' | 'tier' | 'seed' | 'case'>): number {
  return byCodeUnits(a.fixture, b.fixture) || byCodeUnits(a.tier, b.tier) || a.seed - b.seed || byCodeUnits(a.case, b.case);
}

/** The outcomes in canonical order (a sorted copy). */
export function canonicalOutcomes(outcomes: readonly RunOutcome[]): RunOutcome[] {
  return [...outcomes].sort(compareOutcomes);
}

/** Locale-independent string order (the digest must not depend on the machine's locale). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
