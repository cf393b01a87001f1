import { InvarlockError } from '../errors/index.js';
import type { GateName, GateReasonCode, GateRecord, GateStatus } from './gate-types.js';

/** Guards and checks decided outside this module, by name (as in the certificate's `gateName`). */
export type GuardName = 'invariants' | 'spectral' | 'rmt' | 'variance' | 'pairing';

/** Every check a verdict weighs. */
export type CheckName = GateName | GuardName;

/** A guard's or check's outcome, as its own module decided it. */
export interface GuardOutcome {
  readonly guard: GuardName;
  readonly status: GateStatus;
  /**
   * What the guard found, in its own words (its worst finding of the status's severity, e.g.
   * `attn edge ratio ×1.063 > 1.01`); the verdict reason reads `RMT: <detail>`. Absent: the reason
   * says only that the guard failed or warned.
   */
  readonly detail?: string;
  /**
   * The policy made this guard advisory (tiers.json `<guard>.mode`): its failure is reported with
   * code `guard_advisory` and makes the verdict at most `warn`.
   */
  readonly advisory?: boolean;
}

/** How a guard is named in a verdict reason. */
const GUARD_LABELS = {
  invariants: 'Invariants',
  spectral: 'Spectral',
  rmt: 'RMT',
  variance: 'Variance',
  pairing: 'Pairing',
} as const satisfies Record<GuardName, string>;

/** Verdict reason codes: a gate's own failing/warning reason, a guard's status, or a missing check. */
export type VerdictReasonCode = GateReasonCode | 'guard_failed' | 'guard_advisory' | 'guard_warned' | 'required_check_not_evaluated';

/** One line of why the verdict is not a plain pass (the certificate's `verdict.reasons[]`). */
export interface VerdictReason {
  readonly code: VerdictReasonCode;
  readonly gate: CheckName;
  readonly message: string;
}

/** The verdict of a run that finished; the runner turns exceptions into `error` itself. */
export interface VerdictDecision {
  readonly verdict: 'pass' | 'warn' | 'fail';
  /** In check order (the certificate's gate order); empty for a clean pass. */
  readonly reasons: readonly VerdictReason[];
}

/** The certificate's gate order; reasons are listed in it. */
const CHECK_ORDER: readonly CheckName[] = [
  'primary_metric',
  'drift',
  'invariants',
  'spectral',
  'rmt',
  'guard_overhead',
  'pairing',
  'tail',
  'variance',
  'catastrophe',
];

/** Guards that must have run for a pass (ALGORITHMS.md §4); guard_overhead, variance and tail only count when present. */
const REQUIRED_GUARDS: readonly GuardName[] = ['invariants', 'spectral', 'rmt', 'pairing'];

/**
 * Decides the run's verdict (ALGORITHMS.md §4): `fail` when any gate or gating guard failed (an
 * advisory guard's failure counts as a warning, reason `guard_advisory`); otherwise
 * `warn` when any warned or when a required check did not run (never a vacuous pass); otherwise
 * `pass`. Required: the primary metric; drift when the primary metric is a perplexity ratio;
 * invariants, spectral, RMT and pairing. Guard overhead, variance, tail and catastrophe count when
 * given. Gate reasons with effect `fail`/`warn` become verdict reasons with their own codes.
 * Throws `E_INTERNAL` when a check appears twice.
 */
export function decideVerdict(gates: readonly GateRecord[], guards: readonly GuardOutcome[]): VerdictDecision {
  const statuses = new Map<CheckName, GateStatus>();
  const reasons: VerdictReason[] = [];
  const remember = (name: CheckName, status: GateStatus): void => {
    if (statuses.has(name)) throw new InvarlockError('E_INTERNAL', `check ${name} was given twice to decideVerdict`, { details: { field: name } });
    statuses.set(name, status);
  };
  for (const gate of gates) {
    remember(gate.gate, gate.status);
    for (const reason of gate.reasons) {
      if (reason.effect !== 'info') reasons.push({ code: reason.code, gate: gate.gate, message: reason.message });
    }
  }
  for (const guard of guards) {
    const advisory = guard.advisory === true && guard.status === 'fail';
    remember(guard.guard, advisory ? 'warn' : guard.status);
    const label = GUARD_LABELS[guard.guard];
    if (advisory) {
      reasons.push({ code: 'guard_advisory', gate: guard.guard, message: `${label} (advisory, not gating): ${guard.detail ?? 'failed'}` });
    } else if (guard.status === 'fail') reasons.push({ code: 'guard_failed', gate: guard.guard, message: guard.detail === undefined ? `${label} failed` : `${label}: ${guard.detail}` });
    if (guard.status === 'warn') reasons.push({ code: 'guard_warned', gate: guard.guard, message: guard.detail === undefined ? `${label} raised a warning` : `${label}: ${guard.detail}` });
  }
  const primary = gates.find((g) => g.gate === 'primary_metric');
  const required: CheckName[] = ['primary_metric', ...(primary === undefined || primary.basis === 'ratio_ci_high' ? (['drift'] as const) : []), ...REQUIRED_GUARDS];
  for (const name of required) {
    const status = statuses.get(name);
    if (status === undefined || status === 'not_evaluated') {
      reasons.push({
        code: 'required_check_not_evaluated',
        gate: name,
        message: `${name} was ${status === undefined ? 'not reported' : 'not evaluated'}; a run cannot pass without it`,
      });
    }
  }
  const all = [...statuses.values()];
  const verdict = all.includes('fail') ? 'fail' : all.includes('warn') || reasons.length > 0 ? 'warn' : 'pass';
  const rank = (name: CheckName): number => CHECK_ORDER.indexOf(name);
  // Array.prototype.sort is stable, so reasons of one check keep their order.
  reasons.sort((a, b) => rank(a.gate) - rank(b.gate));
  return { verdict, reasons };
}
