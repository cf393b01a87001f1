import type { Certificate, CheckStatus, Family, GuardBlock, GuardMode, VerdictReason } from '../certificate/certificate-types.js';
import { formatCount, formatInterval, formatLimit, formatNumber, formatPointsWithCi, formatRatio, formatRatioWithCi } from './format-values.js';

// Rows hold only our own vocabulary and numbers (no free text from the certificate), so renderers
// need not escape them; reasons are shown, escaped, in the guard table.
const NOT_EVALUATED = 'not evaluated';
const NOT_APPLICABLE = 'not applicable';

/** The gates of the dashboard, in the order a reader sees them. @internal */
export const DASHBOARD_GATES = [
  'primary_metric',
  'drift',
  'invariants',
  'spectral',
  'rmt',
  'guard_overhead',
  'pairing',
  'tail',
] as const satisfies readonly string[];

/** A gate of the dashboard. @internal */
export type DashboardGate = (typeof DASHBOARD_GATES)[number];

/** Display names of the gates. @internal */
export const GATE_LABELS = {
  primary_metric: 'Primary metric',
  drift: 'Drift',
  invariants: 'Invariants',
  spectral: 'Spectral',
  rmt: 'RMT',
  guard_overhead: 'Guard overhead',
  pairing: 'Pairing',
  tail: 'Tail',
} as const satisfies Record<DashboardGate, string>;

/** One dashboard row, every cell already formatted (plain text, not yet escaped). @internal */
export interface GateRow {
  readonly gate: DashboardGate;
  readonly label: string;
  readonly status: CheckStatus;
  readonly measured: string;
  readonly threshold: string;
  readonly basis: string;
}

/** Badge per status, shared by markdown and HTML. @internal */
export const STATUS_BADGES = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  error: '🛑',
  skipped: '⏭️',
  not_evaluated: '➖',
} as const;

/** Human words per status. @internal */
export const STATUS_WORDS = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
  error: 'error',
  skipped: 'skipped',
  not_evaluated: 'not evaluated',
} as const;

/** The dashboard rows of a certificate, in {@link DASHBOARD_GATES} order. @internal */
export function buildGateRows(cert: Certificate): readonly GateRow[] {
  return DASHBOARD_GATES.map((gate) => ({ gate, label: GATE_LABELS[gate], status: gateStatus(cert, gate), ...describeGate(cert, gate) }));
}

/** A gate's display status: from its validation flag, refined by the guard's own warn. @internal */
export function gateStatus(cert: Certificate, gate: DashboardGate): CheckStatus {
  const v = cert.validation;
  switch (gate) {
    case 'primary_metric':
      return flagStatus(v.primary_metric_acceptable, 'pass');
    case 'drift':
      return flagStatus(v.drift_acceptable, 'pass');
    case 'invariants':
      return flagStatus(v.invariants_pass, guardWarn(cert.guards.invariants));
    case 'spectral':
      return advisory(flagStatus(v.spectral_stable, guardWarn(cert.guards.spectral)), cert.policy.thresholds.spectral.mode);
    case 'rmt':
      return advisory(flagStatus(v.rmt_stable, guardWarn(cert.guards.rmt)), cert.policy.thresholds.rmt.mode);
    case 'guard_overhead':
      return flagStatus(v.guard_overhead_acceptable, 'pass');
    case 'pairing':
      return flagStatus(v.pairing_ok, 'pass');
    case 'tail':
      return v.tail_acceptable === false && cert.policy.thresholds.tail.mode === 'warn' ? 'warn' : flagStatus(v.tail_acceptable, 'pass');
  }
}

/**
 * Whether a verdict reason is a failure, a warning or the run's error, from the status of the gate
 * it belongs to (the certificate records each gate's status, so nothing is stored twice): a
 * warning-only gate (the tail in `warn` mode) never reads as a failure, and a check that did not
 * run is a warning. @internal
 */
export function reasonSeverity(cert: Certificate, reason: VerdictReason): 'fail' | 'warn' | 'error' {
  if (reason.gate === 'run') return 'error';
  if (reason.code === 'required_check_not_evaluated' || reason.code === 'guard_warned' || reason.code === 'guard_advisory') return 'warn';
  if (reason.code === 'guard_failed' || reason.code === 'pairing_violation' || reason.gate === 'catastrophe') return 'fail';
  switch (reason.gate) {
    case 'variance':
      return cert.guards.variance.status === 'fail' ? 'fail' : 'warn';
    case 'coverage':
      return cert.verdict.status === 'fail' ? 'fail' : 'warn';
    default:
      return gateStatus(cert, reason.gate) === 'fail' ? 'fail' : 'warn';
  }
}

/** An advisory guard's failure shows as a warning: it never fails the run (tiers.json `<guard>.mode`). */
function advisory(status: CheckStatus, mode: GuardMode): CheckStatus {
  return mode === 'advisory' && status === 'fail' ? 'warn' : status;
}

/** What a guard's threshold cell adds when the tier made the guard advisory. */
function modeNote(mode: GuardMode): string {
  return mode === 'advisory' ? ' — advisory, never fails the run' : '';
}

function flagStatus(flag: boolean | null, whenTrue: 'pass' | 'warn'): CheckStatus {
  if (flag === null) return 'not_evaluated';
  return flag ? whenTrue : 'fail';
}

function guardWarn(guard: GuardBlock<unknown>): 'pass' | 'warn' {
  return guard.status === 'warn' ? 'warn' : 'pass';
}

function describeGate(cert: Certificate, gate: DashboardGate): Pick<GateRow, 'measured' | 'threshold' | 'basis'> {
  const pm = cert.primary_metric;
  const t = cert.policy.thresholds;
  switch (gate) {
    case 'primary_metric':
      if (pm.kind === 'accuracy') {
        return {
          measured: formatPointsWithCi(pm.delta_mean, pm.delta_ci),
          threshold: `≥ ${formatLimit(pm.limit)} pp`,
          basis: 'lower CI bound',
        };
      }
      return {
        measured: formatRatioWithCi(pm.ratio, pm.ratio_ci),
        threshold: `≤ ${formatLimit(pm.limit)}${pm.hysteresis > 0 ? ` (+${formatLimit(pm.hysteresis)} hysteresis)` : ''}`,
        basis: 'upper CI bound',
      };
    case 'drift':
      return pm.kind === 'accuracy'
        ? { measured: NOT_APPLICABLE, threshold: 'perplexity kinds only', basis: 'final / preview ratio' }
        : { measured: formatRatio(pm.drift), threshold: `within ${formatInterval(t.drift_band, formatLimit)}`, basis: 'final / preview ratio' };
    case 'invariants':
      return {
        measured: violationCounts(cert.guards.invariants),
        threshold: t.invariants.mode === 'strict' ? 'no violation (strict)' : 'no fatal violation',
        basis: 'weights and structure',
      };
    case 'spectral': {
      const m = cert.guards.spectral.measurements;
      return {
        measured: m === null ? NOT_EVALUATED : `${m.caps} cap${m.caps === 1 ? '' : 's'} · ${m.fatal} fatal · max |ρ−1| ${formatNumber(maxAbsChange(m.modules))}`,
        threshold: `≤ ${t.spectral.max_caps} caps beyond |ρ−1| ${formatLimit(t.spectral.deadband)}${modeNote(t.spectral.mode)}`,
        basis: 'σmax subject / baseline',
      };
    }
    case 'rmt': {
      const worst = worstRmtFamily(cert);
      return {
        measured: worst === null ? NOT_EVALUATED : `×${formatRatio(worst.ratio)} (${worst.family})`,
        threshold: `≤ 1 + ε per family (ε ${formatLimit(Math.max(...Object.values(t.rmt.epsilon)))})${modeNote(t.rmt.mode)}`,
        basis: 'activation edge ratio',
      };
    }
    case 'guard_overhead':
      return {
        measured: cert.guard_overhead.evaluated ? formatRatioWithCi(cert.guard_overhead.ratio, null) : NOT_EVALUATED,
        threshold: `≤ ${formatLimit(t.guard_overhead.limit)}`,
        basis: 'guarded / bare PPL',
      };
    case 'pairing':
      return {
        measured: `match ${formatRatio(cert.pairing.match)} · overlap ${formatRatio(cert.pairing.overlap)} · ${formatCount(cert.pairing.counts.subject.final)} final`,
        threshold: 'match 1, overlap 0, equal counts',
        basis: 'window token ids',
      };
    case 'tail':
      return {
        measured: `P95 Δ ${formatNumber(cert.tail.quantiles?.p95 ?? null)} · max ${formatNumber(cert.tail.max)}`,
        threshold: pm.kind === 'accuracy' ? 'perplexity kinds only' : `P95 ≤ ${formatLimit(cert.tail.limit)} (${t.tail.mode})`,
        basis: 'per-window Δ quantile',
      };
  }
}

function violationCounts(guard: GuardBlock<unknown>): string {
  if (!guard.evaluated) return NOT_EVALUATED;
  const fatal = guard.violations.filter((v) => v.severity === 'fatal').length;
  return `${fatal} fatal · ${guard.violations.length - fatal} warning`;
}


/** Largest |ρ − 1| over modules with a finite ratio; null when there is none. @internal */
export function maxAbsChange(modules: readonly { readonly ratio: number | null }[]): number | null {
  let worst: number | null = null;
  for (const m of modules) {
    if (m.ratio !== null) worst = Math.max(worst ?? 0, Math.abs(m.ratio - 1));
  }
  return worst;
}

/** The family whose subject/baseline edge ratio is highest, or null when RMT has no family with data. @internal */
export function worstRmtFamily(cert: Certificate): { readonly family: Family; readonly ratio: number } | null {
  const m = cert.guards.rmt.measurements;
  if (m === null) return null;
  let worst: { family: Family; ratio: number } | null = null;
  for (const f of m.families) {
    if (f.baseline === null || f.subject === null || f.baseline <= 0) continue;
    const ratio = f.subject / f.baseline;
    if (worst === null || ratio > worst.ratio) worst = { family: f.family, ratio };
  }
  return worst;
}
