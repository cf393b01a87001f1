/**
 * Counts and rates of a calibration: per (fixture, tier, class) cell and per tier pooled over the
 * fixtures, how many runs each gate stopped, with exact one-sided 95 % bounds; per case the
 * verdicts and the spread of each gate's statistic; and for each thresholded gate the evidence a
 * recalibration needs (benign maximum, harmful minimum, and the overall rates if the threshold were
 * moved to just above the benign maximum).
 */
import { resolvePolicy, type TierName } from '../../src/core/index.js';
import { lowerBound, upperBound } from './binomial.js';
import { CASES, type CaseClass } from './cases.js';
import { GATES, type GateId, type RunOutcome } from './outcome.js';

/** The goals of the issue: false alarms on benign edits and detection of harmful ones. */
export const GOALS = Object.freeze({ falseAlarmMax: 0.01, detectionMin: 0.99, confidence: 0.95 });

/** k of n runs, with the exact one-sided 95 % bound on the side the goal constrains. */
export interface RateCount {
  readonly flagged: number;
  readonly n: number;
  readonly rate: number;
  /** Upper bound for a benign cell (false alarms), lower bound for a harmful cell (detection). */
  readonly bound: number;
}

/** One (fixture or `all`, tier, class) cell. */
export interface CellSummary {
  readonly fixture: string;
  readonly tier: string;
  readonly class: Exclude<CaseClass, 'grey'>;
  readonly runs: number;
  readonly errors: number;
  readonly warns: number;
  readonly gates: Readonly<Record<GateId, RateCount>>;
}

/** One (fixture, tier, case) row. */
export interface CaseSummary {
  readonly fixture: string;
  readonly tier: string;
  readonly case: string;
  /** The classes its runs have in this tier (`benign/grey` when seeded variants differ). */
  readonly class: CaseClass;
  /** The true ratio (min–max over variants). */
  readonly trueRatio: { readonly min: number | null; readonly max: number | null };
  readonly runs: number;
  readonly verdicts: Readonly<Record<'pass' | 'warn' | 'fail' | 'error', number>>;
  readonly gates: Readonly<Record<GateId, number>>;
  readonly ratio: { readonly median: number | null; readonly max: number | null };
  readonly ciHigh: { readonly min: number | null; readonly max: number | null };
  readonly rmtGrowth: { readonly min: number | null; readonly max: number | null };
  readonly spectralCaps: { readonly min: number | null; readonly max: number | null };
}

/** Whether a tier (pooled over fixtures) meets a goal. */
export type GoalStatus = 'met' | 'met_observed_only' | 'missed';

/** The goal check of one tier. */
export interface GoalCheck {
  readonly tier: string;
  readonly falseAlarm: RateCount & { readonly status: GoalStatus };
  readonly detection: RateCount & { readonly status: GoalStatus };
}

/** A gate's statistic against its threshold in one tier, and the effect of moving the threshold. */
export interface ThresholdEvidence {
  readonly tier: string;
  readonly gate: 'primary_metric' | 'drift' | 'spectral' | 'rmt' | `rmt:${RmtFamily}`;
  /** What is compared: e.g. `ratio_ci_high > 1.102`. */
  readonly rule: string;
  readonly current: number;
  /** Benign runs the gate stops at the current threshold, and the largest benign statistic. */
  readonly benignFlagged: number;
  readonly benignN: number;
  readonly benignMax: number | null;
  /** Harmful runs the gate stops, and the smallest harmful statistic among runs that reached it. */
  readonly harmfulFlagged: number;
  readonly harmfulN: number;
  readonly harmfulMin: number | null;
  /** The smallest threshold with no benign run stopped by this gate (the benign maximum), when above the current one. */
  readonly proposed: number | null;
  /** Overall verdict rates with the proposed threshold (other gates as recorded). */
  readonly whatIf: { readonly falseAlarm: RateCount; readonly detection: RateCount } | null;
}

/** Runs whose true harm lies in the margin around the tier's limit, per tier (reported, not rated). */
export interface GreySummary {
  readonly tier: string;
  readonly runs: number;
  readonly failed: number;
  readonly cases: readonly string[];
}

/** P(FAIL) for the runs whose true ratio falls in one bin. */
export interface PowerPoint {
  readonly tier: string;
  /** The bin [low, high) of the true ratio; high null: not finite / broken weights. */
  readonly low: number;
  readonly high: number | null;
  readonly runs: number;
  readonly failed: number;
  /** Runs the primary metric alone stops. */
  readonly primaryFailed: number;
}

/** The bins of the power curve (true perplexity ratio); the last bin holds ratios ≥ 2 and broken subjects. */
export const POWER_BINS: readonly number[] = Object.freeze([0, 1.0025, 1.005, 1.01, 1.025, 1.04, 1.05, 1.06, 1.075, 1.09, 1.1, 1.11, 1.125, 1.15, 1.175, 1.2, 1.225, 1.25, 1.3, 1.4, 1.6, 2]);

function powerCurve(tier: string, outcomes: readonly RunOutcome[]): PowerPoint[] {
  const points: PowerPoint[] = [];
  for (let i = 0; i < POWER_BINS.length; i++) {
    const low = POWER_BINS[i]!;
    const high = POWER_BINS[i + 1] ?? null;
    const inBin = outcomes.filter((o) =>
      high === null ? o.true_ratio === null || o.true_ratio >= low : o.true_ratio !== null && o.true_ratio >= low && o.true_ratio < high,
    );
    if (inBin.length === 0) continue;
    points.push({ tier, low, high, runs: inBin.length, failed: inBin.filter((o) => o.flagged.verdict).length, primaryFailed: inBin.filter((o) => o.flagged.primary_metric).length });
  }
  return points;
}

/** Everything the tables show. */
export interface CalibrationSummary {
  readonly grey: readonly GreySummary[];
  readonly power: readonly PowerPoint[];
  readonly cells: readonly CellSummary[];
  readonly cases: readonly CaseSummary[];
  readonly goals: readonly GoalCheck[];
  readonly thresholds: readonly ThresholdEvidence[];
  readonly grid: readonly ThresholdGrid[];
}

/** Multiples of each gate's current allowance the grid tries (the allowance is L + h − 1 for the primary metric). */
export const GRID_MULTIPLES: readonly number[] = Object.freeze([0.5, 1, 2, 3, 5]);

/** Overall verdict rates of one fixture in one tier with one gate's threshold moved, the other gates as recorded. */
export interface ThresholdGrid {
  readonly tier: string;
  readonly gate: ThresholdEvidence['gate'];
  readonly fixture: string;
  readonly points: readonly { readonly multiple: number; readonly threshold: number; readonly falseAlarm: RateCount; readonly detection: RateCount }[];
}

function rateOf(flagged: number, n: number, cls: Exclude<CaseClass, 'grey'>): RateCount {
  return {
    flagged,
    n,
    rate: n === 0 ? 0 : flagged / n,
    bound: cls === 'benign' ? upperBound(flagged, n, GOALS.confidence) : lowerBound(flagged, n, GOALS.confidence),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function cell(fixture: string, tier: string, cls: Exclude<CaseClass, 'grey'>, outcomes: readonly RunOutcome[]): CellSummary {
  const gates = Object.fromEntries(GATES.map((g) => [g, rateOf(outcomes.filter((o) => o.flagged[g]).length, outcomes.length, cls)])) as Record<GateId, RateCount>;
  return {
    fixture,
    tier,
    class: cls,
    runs: outcomes.length,
    errors: outcomes.filter((o) => o.verdict === 'error').length,
    warns: outcomes.filter((o) => o.verdict === 'warn').length,
    gates,
  };
}

function spread(values: readonly (number | null)[]): { min: number | null; max: number | null } {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? { min: null, max: null } : { min: Math.min(...xs), max: Math.max(...xs) };
}

function median(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

function caseRow(fixture: string, tier: string, id: string, outcomes: readonly RunOutcome[]): CaseSummary {
  const count = (status: string): number => outcomes.filter((o) => o.verdict === status).length;
  return {
    fixture,
    tier,
    case: id,
    class: unique(outcomes.map((o) => o.class)).join('/') as CaseClass,
    trueRatio: spread(outcomes.map((o) => o.true_ratio)),
    runs: outcomes.length,
    verdicts: { pass: count('pass'), warn: count('warn'), fail: count('fail'), error: count('error') },
    gates: Object.fromEntries(GATES.map((g) => [g, outcomes.filter((o) => o.flagged[g]).length])) as Record<GateId, number>,
    ratio: { median: median(outcomes.map((o) => o.stats.ratio)), max: spread(outcomes.map((o) => o.stats.ratio)).max },
    ciHigh: spread(outcomes.map((o) => o.stats.ratio_ci_high)),
    rmtGrowth: spread(outcomes.map((o) => o.stats.rmt_growth)),
    spectralCaps: spread(outcomes.map((o) => o.stats.spectral_caps)),
  };
}

function goalStatus(rate: RateCount, cls: Exclude<CaseClass, 'grey'>): GoalStatus {
  if (cls === 'benign') return rate.bound <= GOALS.falseAlarmMax ? 'met' : rate.rate <= GOALS.falseAlarmMax ? 'met_observed_only' : 'missed';
  return rate.bound >= GOALS.detectionMin ? 'met' : rate.rate >= GOALS.detectionMin ? 'met_observed_only' : 'missed';
}

/** A gate's statistic and rule in one tier: `stat(o)` is compared with the threshold as `stat > t`. */
interface GateRule {
  readonly gate: ThresholdEvidence['gate'];
  readonly rule: (t: number) => string;
  readonly current: number;
  /** The threshold at `multiple` × the current allowance. */
  readonly scaled: (multiple: number) => number;
  /** The statistic, or null when the gate did not measure it. */
  readonly stat: (o: RunOutcome) => number | null;
  /** Whether the gate stops the run at threshold t (a catastrophe or fatal finding stops it regardless). */
  readonly flags: (o: RunOutcome, t: number) => boolean;
}

type RmtFamily = 'attn' | 'ffn' | 'embed' | 'other';
const RMT_FAMILIES: readonly RmtFamily[] = ['attn', 'ffn', 'embed', 'other'];

function rulesOf(tier: TierName): GateRule[] {
  const th = resolvePolicy({ tier, profile: 'dev' }).thresholds;
  const pmLimit = th.primary_metric.ratio_limit + th.primary_metric.hysteresis;
  const driftHalfWidth = Math.max(1 - th.drift_band[0], th.drift_band[1] - 1);
  const epsilon = Math.min(th.rmt.epsilon.attn, th.rmt.epsilon.ffn, th.rmt.epsilon.embed, th.rmt.epsilon.other);
  const maxCaps = th.spectral.max_caps;
  // the (max_caps + 1)-th largest |ρ − 1|: above the deadband, caps exceed max_caps
  const capsStat = (o: RunOutcome): number | null => o.stats.spectral_top_changes?.[maxCaps] ?? (o.stats.spectral_top_changes === null ? null : 0);
  const catastrophe = (o: RunOutcome): boolean => o.reasons.some((r) => r.startsWith('catastrophe:'));
  return [
    {
      gate: 'primary_metric',
      rule: (t) => `ratio_ci_high > ${fmt(t)} (or catastrophe)`,
      current: pmLimit,
      scaled: (m) => 1 + (pmLimit - 1) * m,
      stat: (o) => o.stats.ratio_ci_high,
      flags: (o, t) => catastrophe(o) || (o.stats.ratio_ci_high !== null && o.stats.ratio_ci_high > t),
    },
    {
      gate: 'drift',
      rule: (t) => `abs(drift − 1) > ${fmt(t)}`,
      current: driftHalfWidth,
      scaled: (m) => driftHalfWidth * m,
      stat: (o) => (o.stats.drift === null ? null : Math.abs(o.stats.drift - 1)),
      flags: (o, t) => o.stats.drift !== null && Math.abs(o.stats.drift - 1) > t,
    },
    {
      gate: 'spectral',
      rule: (t) => `${ordinal(maxCaps + 1)} largest abs(ρ − 1) > deadband ${fmt(t)} (or a fatal finding)`,
      current: th.spectral.deadband,
      scaled: (m) => th.spectral.deadband * m,
      stat: capsStat,
      flags: (o, t) => (o.stats.spectral_fatal ?? 0) > 0 || (capsStat(o) ?? 0) > t,
    },
    {
      gate: 'rmt',
      rule: (t) => `max family r_subject/r_baseline − 1 > ε ${fmt(t)}`,
      current: epsilon,
      scaled: (m) => epsilon * m,
      stat: (o) => o.stats.rmt_growth,
      flags: (o, t) => o.stats.rmt_growth !== null && o.stats.rmt_growth > t,
    },
    // one family's ε moved, the others at the tier's values
    ...RMT_FAMILIES.map(
      (family): GateRule => ({
        gate: `rmt:${family}`,
        rule: (t) => `${family} r_subject/r_baseline − 1 > ε_${family} ${fmt(t)}`,
        current: th.rmt.epsilon[family],
        scaled: (m) => th.rmt.epsilon[family] * m,
        stat: (o) => o.stats.rmt_growth_by_family?.[family] ?? null,
        flags: (o, t) =>
          RMT_FAMILIES.some((f) => {
            const g = o.stats.rmt_growth_by_family?.[f] ?? null;
            return g !== null && g > (f === family ? t : th.rmt.epsilon[f]);
          }),
      }),
    ),
  ];
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

/** A threshold for a table: at most 6 significant digits. */
export function fmt(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** Whether a run's verdict would stop it with gate `gate` replaced by `flag`: the other gates and non-gate reasons as recorded. */
function verdictWith(o: RunOutcome, rule: ThresholdEvidence['gate'], flag: boolean): boolean {
  const gate: GateId = rule.startsWith('rmt') ? 'rmt' : (rule as Exclude<ThresholdEvidence['gate'], `rmt:${RmtFamily}`>);
  const others = GATES.filter((g) => g !== 'verdict' && g !== gate).some((g) => o.flagged[g]);
  const unexplained = o.flagged.verdict && !GATES.some((g) => g !== 'verdict' && o.flagged[g]);
  return flag || others || unexplained;
}

function evidence(tier: TierName, outcomes: readonly RunOutcome[]): ThresholdEvidence[] {
  const benign = outcomes.filter((o) => o.class === 'benign');
  const harmful = outcomes.filter((o) => o.class === 'harmful');
  return rulesOf(tier).map((r) => {
    const benignStats = benign.map(r.stat).filter((v): v is number => v !== null);
    const harmfulStats = harmful.map(r.stat).filter((v): v is number => v !== null);
    const benignMax = benignStats.length === 0 ? null : Math.max(...benignStats);
    const benignFlagged = benign.filter((o) => r.flags(o, r.current)).length;
    const proposed = benignMax !== null && benignMax > r.current && benignFlagged > 0 ? benignMax : null;
    const whatIf =
      proposed === null
        ? null
        : {
            falseAlarm: rateOf(benign.filter((o) => verdictWith(o, r.gate, r.flags(o, proposed))).length, benign.length, 'benign'),
            detection: rateOf(harmful.filter((o) => verdictWith(o, r.gate, r.flags(o, proposed))).length, harmful.length, 'harmful'),
          };
    return {
      tier,
      gate: r.gate,
      rule: r.rule(r.current),
      current: r.current,
      benignFlagged,
      benignN: benign.length,
      benignMax,
      harmfulFlagged: harmful.filter((o) => r.flags(o, r.current)).length,
      harmfulN: harmful.length,
      harmfulMin: harmfulStats.length === 0 ? null : Math.min(...harmfulStats),
      proposed,
      whatIf,
    };
  });
}

function gridOf(tier: TierName, outcomes: readonly RunOutcome[], fixtures: readonly string[]): ThresholdGrid[] {
  return rulesOf(tier).flatMap((r) =>
    fixtures.map((fixture) => {
      const mine = outcomes.filter((o) => o.fixture === fixture);
      const benign = mine.filter((o) => o.class === 'benign');
      const harmful = mine.filter((o) => o.class === 'harmful');
      const points = GRID_MULTIPLES.map((multiple) => {
        const t = r.scaled(multiple);
        return {
          multiple,
          threshold: t,
          falseAlarm: rateOf(benign.filter((o) => verdictWith(o, r.gate, r.flags(o, t))).length, benign.length, 'benign'),
          detection: rateOf(harmful.filter((o) => verdictWith(o, r.gate, r.flags(o, t))).length, harmful.length, 'harmful'),
        };
      });
      return { tier, gate: r.gate, fixture, points };
    }),
  );
}

/** Summarises outcomes (any order). */
export function summarise(outcomes: readonly RunOutcome[]): CalibrationSummary {
  const fixtures = unique(outcomes.map((o) => o.fixture));
  const tiers = unique(outcomes.map((o) => o.tier));
  const classes: Exclude<CaseClass, 'grey'>[] = ['benign', 'harmful'];
  const grey: GreySummary[] = [];
  const power: PowerPoint[] = [];
  const cells: CellSummary[] = [];
  const cases: CaseSummary[] = [];
  const goals: GoalCheck[] = [];
  const thresholds: ThresholdEvidence[] = [];
  const grid: ThresholdGrid[] = [];
  for (const tier of tiers) {
    const inTier = outcomes.filter((o) => o.tier === tier);
    const greyRuns = inTier.filter((o) => o.class === 'grey');
    grey.push({ tier, runs: greyRuns.length, failed: greyRuns.filter((o) => o.flagged.verdict).length, cases: unique(greyRuns.map((o) => `${o.fixture}:${o.case}`)) });
    power.push(...powerCurve(tier, inTier.filter((o) => o.verdict !== 'error' || o.true_ratio !== null)));
    for (const fixture of fixtures) {
      for (const cls of classes) {
        const these = inTier.filter((o) => o.fixture === fixture && o.class === cls);
        if (these.length > 0) cells.push(cell(fixture, tier, cls, these));
      }
      const order = (id: string): number => CASES.findIndex((c) => c.id === id);
      const ids = unique(inTier.filter((o) => o.fixture === fixture).map((o) => o.case)).sort((a, b) => order(a) - order(b));
      for (const id of ids) {
        cases.push(caseRow(fixture, tier, id, inTier.filter((o) => o.fixture === fixture && o.case === id)));
      }
    }
    const pooled = classes.map((cls) => cell('all', tier, cls, inTier.filter((o) => o.class === cls)));
    cells.push(...pooled.filter((c) => c.runs > 0));
    const fa = pooled[0]!.gates.verdict;
    const det = pooled[1]!.gates.verdict;
    goals.push({ tier, falseAlarm: { ...fa, status: goalStatus(fa, 'benign') }, detection: { ...det, status: goalStatus(det, 'harmful') } });
    if (isTier(tier)) {
      thresholds.push(...evidence(tier, inTier));
      grid.push(...gridOf(tier, inTier, fixtures));
    }
  }
  return { grey, power, cells, cases, goals, thresholds, grid };
}

function isTier(value: string): value is TierName {
  return value === 'balanced' || value === 'conservative' || value === 'aggressive';
}
