import type { GuardResult, GuardViolation } from '../types.js';
import type { VeEnableDecision } from './ve-enable.js';
import type { VeGateOutcome } from './ve-gate.js';
import type { VeProposal } from './ve-scales.js';

/** Input of the variance guard: what the pipeline computed. */
export type VarianceInput =
  /** Compare mode (nothing was edited): scales are measured, never applied. */
  | { readonly mode: 'monitor'; readonly proposal: VeProposal }
  /** Built-in edit: the A/B gate and the enable decision, or null when the A/B was not run. */
  | { readonly mode: 'edit'; readonly proposal: VeProposal; readonly gate: VeGateOutcome | null; readonly decision: VeEnableDecision | null };

/** What the variance guard reports. */
export interface VarianceMeasurements {
  readonly mode: 'monitor' | 'edit';
  readonly proposal: { readonly taps: VeProposal['taps']; readonly scales: Readonly<Record<string, number>> };
  readonly gate: VeGateOutcome | null;
  readonly decision: VeEnableDecision | null;
  readonly isEnabled: boolean;
}

/**
 * The variance guard's result. VE does not gate the verdict; its status says what happened:
 * monitor mode → `not_evaluated` (reason `monitor_only`); no scale proposed → `pass`; A/B not run →
 * `not_evaluated` (`ab_not_run`); too few A/B windows → `not_evaluated` (`insufficient_coverage`);
 * the A/B CI shows a regression (two-sided) → `warn` with `ve_regression_detected`; else `pass`
 * (enabled or not: see `measurements.decision`).
 */
export function evaluateVariance(input: VarianceInput): GuardResult<VarianceMeasurements> {
  const gate = input.mode === 'edit' ? input.gate : null;
  const decision = input.mode === 'edit' ? input.decision : null;
  const measurements: VarianceMeasurements = {
    mode: input.mode,
    proposal: { taps: input.proposal.taps, scales: Object.fromEntries(input.proposal.scales) },
    gate,
    decision,
    isEnabled: decision?.isEnabled ?? false,
  };
  const notEvaluated = (reason: string): GuardResult<VarianceMeasurements> => ({ guard: 'variance', status: 'not_evaluated', evaluated: false, reason, measurements, violations: [] });
  if (input.mode === 'monitor') return notEvaluated('monitor_only');
  if (input.proposal.scales.size === 0) return { guard: 'variance', status: 'pass', evaluated: true, reason: 'no_scales', measurements, violations: [] };
  if (gate === null) return notEvaluated('ab_not_run');
  if (gate.status === 'insufficient_coverage') return notEvaluated('insufficient_coverage');
  const violations: GuardViolation[] = gate.reasons.includes('regression_detected')
    ? [{ code: 've_regression_detected', severity: 'warning', key: null, module: null, family: null, message: `VE scales raise the loss: CI low ${gate.ci.low.toFixed(5)} > ${gate.minEffect}`, value: gate.ci.low, threshold: gate.minEffect }]
    : [];
  return { guard: 'variance', status: violations.length > 0 ? 'warn' : 'pass', evaluated: true, measurements, violations };
}
