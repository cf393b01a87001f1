import type { BootstrapCiFn, VariancePolicy } from '../types.js';

/** Per-window losses of the VE A/B test on the calibration windows, in window order. */
export interface VeAbInput {
  /** ℓ_A: the edited model. */
  readonly lossA: readonly number[];
  /** ℓ_B: the edited model with the VE scales applied. */
  readonly lossB: readonly number[];
  /** Scored tokens per window. */
  readonly weights: readonly number[];
}

/** Why the predictive gate did not pass. */
export type VeGateReason = 'insufficient_coverage' | 'ci_not_below_zero' | 'mean_not_negative' | 'below_min_effect' | 'regression_detected';

/** The predictive gate's outcome. */
export type VeGateOutcome =
  | { readonly status: 'insufficient_coverage'; readonly windows: number; readonly minCoverage: number; readonly reasons: readonly ['insufficient_coverage'] }
  | {
      readonly status: 'pass' | 'fail';
      readonly windows: number;
      /** Weighted mean of Δ = ℓ_B − ℓ_A (log-NLL). */
      readonly meanDelta: number;
      readonly ci: { readonly low: number; readonly high: number };
      /** exp(Σwℓ/Σw) of each arm over the same windows. */
      readonly pplA: number;
      readonly pplB: number;
      readonly sidedness: 'one_sided' | 'two_sided';
      readonly minEffect: number;
      /** Every failed condition, in the order of the table below; empty on pass. */
      readonly reasons: readonly VeGateReason[];
    };

/**
 * The VE predictive gate (ALGORITHMS.md §5) on the first K = `abWindows` windows:
 * Δ_i = ℓ_B,i − ℓ_A,i, weighted mean and the CI from `ciFn` (`replicates`, `alpha`, `seed` from the
 * policy). Fewer than `minCoverage` windows → `insufficient_coverage`. Otherwise, with e = minEffectLognll:
 *
 * | condition (fails when)                          | reason               | sidedness |
 * | ----------------------------------------------- | -------------------- | --------- |
 * | CI_high ≥ 0                                     | `ci_not_below_zero`  | both      |
 * | mean ≥ 0                                        | `mean_not_negative`  | both      |
 * | e > 0 and (CI_high > −e or mean > −e)           | `below_min_effect`   | both      |
 * | CI_low > +e                                     | `regression_detected`| two-sided |
 *
 * Passes iff no reason applies.
 */
export function evaluateVePredictiveGate(input: VeAbInput, policy: VariancePolicy, ciFn: BootstrapCiFn): VeGateOutcome {
  const windows = Math.min(policy.abWindows, input.lossA.length, input.lossB.length, input.weights.length);
  if (windows < policy.minCoverage) {
    return { status: 'insufficient_coverage', windows, minCoverage: policy.minCoverage, reasons: ['insufficient_coverage'] };
  }
  const lossA = input.lossA.slice(0, windows);
  const lossB = input.lossB.slice(0, windows);
  const weights = input.weights.slice(0, windows);
  const deltas = lossB.map((b, i) => b - (lossA[i] ?? NaN));
  const meanDelta = weightedMean(deltas, weights);
  const ci = ciFn(deltas, weights, { replicates: policy.replicates, alpha: policy.alpha, seed: policy.seed });
  const e = policy.minEffectLognll;
  const reasons: VeGateReason[] = [];
  if (!(ci.high < 0)) reasons.push('ci_not_below_zero');
  if (!(meanDelta < 0)) reasons.push('mean_not_negative');
  if (e > 0 && (ci.high > -e || meanDelta > -e)) reasons.push('below_min_effect');
  if (policy.sidedness === 'two_sided' && ci.low > e) reasons.push('regression_detected');
  return {
    status: reasons.length === 0 ? 'pass' : 'fail',
    windows,
    meanDelta,
    ci: { low: ci.low, high: ci.high },
    pplA: Math.exp(weightedMean(lossA, weights)),
    pplB: Math.exp(weightedMean(lossB, weights)),
    sidedness: policy.sidedness,
    minEffect: e,
    reasons,
  };
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  let total = 0;
  values.forEach((v, i) => {
    const w = weights[i] ?? 0;
    sum += w * v;
    total += w;
  });
  return total > 0 ? sum / total : NaN;
}
