import type { VariancePolicy } from '../types.js';
import type { VeGateOutcome, VeGateReason } from './ve-gate.js';

/** Why VE stays off. */
export type VeEnableReason = VeGateReason | 'no_scales' | 'below_min_gain' | 'rel_gain_too_small' | 'abs_gain_too_small' | 'tie_within_deadband';

/** The enable decision. */
export interface VeEnableDecision {
  readonly isEnabled: boolean;
  /** Empty when enabled. */
  readonly reasons: readonly VeEnableReason[];
  /** −mean Δ (log-NLL), (PPL_A − PPL_B)/PPL_A, PPL_A − PPL_B; null without an evaluated gate. */
  readonly gain: number | null;
  readonly relGain: number | null;
  readonly absGain: number | null;
}

/**
 * Enables VE only when there are scales, the predictive gate passed, and the gain is real:
 * −mean Δ ≥ minGain (`below_min_gain`), relative perplexity gain ≥ minRelGain (`rel_gain_too_small`),
 * absolute gain ≥ minAbsGain (`abs_gain_too_small`), and |PPL_B/PPL_A − 1| > tieBreakerDeadband
 * (`tie_within_deadband`). A failed gate contributes its own reasons. Every failed check is listed.
 */
export function decideVeEnable(input: { readonly scaleCount: number; readonly gate: VeGateOutcome }, policy: VariancePolicy): VeEnableDecision {
  const reasons: VeEnableReason[] = [];
  if (input.scaleCount === 0) reasons.push('no_scales');
  const gate = input.gate;
  if (gate.status === 'insufficient_coverage') {
    return { isEnabled: false, reasons: [...reasons, ...gate.reasons], gain: null, relGain: null, absGain: null };
  }
  reasons.push(...gate.reasons);
  const gain = -gate.meanDelta;
  const absGain = gate.pplA - gate.pplB;
  const relGain = absGain / gate.pplA;
  if (!(gain >= policy.minGain)) reasons.push('below_min_gain');
  if (!(relGain >= policy.minRelGain)) reasons.push('rel_gain_too_small');
  if (!(absGain >= policy.minAbsGain)) reasons.push('abs_gain_too_small');
  if (!(Math.abs(gate.pplB / gate.pplA - 1) > policy.tieBreakerDeadband)) reasons.push('tie_within_deadband');
  return { isEnabled: reasons.length === 0, reasons, gain, relGain, absGain };
}
