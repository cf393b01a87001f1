import { InvarlockError } from '../errors/index.js';
import { pairedBootstrap, type BootstrapInterval } from './paired-bootstrap.js';

/** How the bootstrap of a paired summary runs (from the policy and the run's seeds). */
export interface PairedBootstrapSettings {
  /** R, an integer ≥ 1. */
  readonly replicates: number;
  /** Two-sided level, e.g. 0.05. */
  readonly alpha: number;
  /** The `bootstrap` stream's seed, an integer in [0, 2^32). */
  readonly seed: number;
  readonly method: 'bca' | 'percentile';
  readonly z0Clip: number;
}

/** Options of {@link summarizePairedDeltas}: the per-window data a certificate carries. */
export interface PairedDeltasInput {
  /** Window ids, in the order of `deltas`; used to name a window in errors. */
  readonly windowIds: readonly string[];
  /** Δᵢ = ℓ_subject,i − ℓ_baseline,i (nats per scored token). */
  readonly deltas: ArrayLike<number>;
  /** wᵢ = scored tokens of window i (finite, > 0). */
  readonly weights: ArrayLike<number>;
  readonly bootstrap: PairedBootstrapSettings;
}

/** Options of {@link summarizePairedLosses}: both models' per-window mean losses on one arm. */
export interface PairedLossesInput {
  readonly windowIds: readonly string[];
  /** ℓ_subject,i: mean NLL over the scored tokens of window i (nats). */
  readonly subjectLoss: ArrayLike<number>;
  /** ℓ_baseline,i, same windows, same order. */
  readonly baselineLoss: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  readonly bootstrap: PairedBootstrapSettings;
}

/** The paired comparison of one arm (preview or final), derived from Δ and weights alone. */
export interface PairedDeltaSummary {
  /** Number of windows. */
  readonly n: number;
  /** Σ wᵢ: scored tokens. */
  readonly tokens: number;
  /** Σ wᵢΔᵢ / Σ wᵢ (nats). */
  readonly meanDelta: number;
  /** exp(meanDelta) = PPL_subject / PPL_baseline. */
  readonly ratio: number;
  /** Bootstrap CI of meanDelta (nats). */
  readonly deltaCi: BootstrapInterval;
  /** exp of deltaCi's bounds, exactly: the displayed ratio CI. */
  readonly ratioCi: { readonly low: number; readonly high: number };
}

/** {@link PairedDeltaSummary} plus what the losses of both models add. */
export interface PairedLossSummary extends PairedDeltaSummary {
  /** Δᵢ per window, in input order. */
  readonly deltas: readonly number[];
  /** exp(Σ wᵢℓᵢ / Σ wᵢ) of the subject. */
  readonly subjectPpl: number;
  readonly baselinePpl: number;
}

/**
 * Summarises a paired arm from its per-window Δ and weights (what `verify` has): weighted mean Δ,
 * ratio exp(mean Δ), bootstrap CI of the mean Δ (see {@link pairedBootstrap}) and its exp. Sums run
 * in float64 in window order. Identical arms (all Δ = 0) give Δ = 0, ratio 1 and CI [1, 1] exactly.
 *
 * Throws `E_NONFINITE_LOSS` naming the first window (`details.window`) whose Δ is not finite, and
 * `E_INTERNAL` for mismatched lengths, an empty arm or a weight that is not finite and > 0.
 */
export function summarizePairedDeltas(input: PairedDeltasInput): PairedDeltaSummary {
  const n = checkLengths(input.windowIds, [input.deltas, input.weights]);
  for (let i = 0; i < n; i++) checkFinite(input.deltas[i], input.windowIds[i], 'delta');
  const deltaCi = pairedBootstrap({
    values: input.deltas,
    weights: input.weights,
    replicates: input.bootstrap.replicates,
    alpha: input.bootstrap.alpha,
    seed: input.bootstrap.seed,
    method: input.bootstrap.method,
    z0Clip: input.bootstrap.z0Clip,
  });
  let tokens = 0;
  for (let i = 0; i < n; i++) tokens += input.weights[i];
  const meanDelta = deltaCi.estimate;
  return {
    n,
    tokens,
    meanDelta,
    ratio: Math.exp(meanDelta),
    deltaCi,
    ratioCi: { low: Math.exp(deltaCi.low), high: Math.exp(deltaCi.high) },
  };
}

/**
 * Summarises a paired arm from both models' per-window losses: Δᵢ = ℓ_subject,i − ℓ_baseline,i, then
 * {@link summarizePairedDeltas}, plus each model's perplexity exp(Σwℓ/Σw).
 *
 * Throws `E_NONFINITE_LOSS` naming the first window (`details.window`) with a
 * non-finite loss (`details.field`: `subject_loss` or `baseline_loss`), and `E_INTERNAL` as {@link summarizePairedDeltas}.
 */
export function summarizePairedLosses(input: PairedLossesInput): PairedLossSummary {
  const n = checkLengths(input.windowIds, [input.subjectLoss, input.baselineLoss, input.weights]);
  const deltas = new Array<number>(n);
  let subjectSum = 0;
  let baselineSum = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const s = input.subjectLoss[i];
    const b = input.baselineLoss[i];
    checkFinite(s, input.windowIds[i], 'subject_loss');
    checkFinite(b, input.windowIds[i], 'baseline_loss');
    const w = input.weights[i];
    deltas[i] = s - b;
    subjectSum += w * s;
    baselineSum += w * b;
    weightSum += w;
  }
  const summary = summarizePairedDeltas({ windowIds: input.windowIds, deltas, weights: input.weights, bootstrap: input.bootstrap });
  return { ...summary, deltas, subjectPpl: Math.exp(subjectSum / weightSum), baselinePpl: Math.exp(baselineSum / weightSum) };
}

function checkLengths(ids: readonly string[], arrays: readonly ArrayLike<number>[]): number {
  const n = ids.length;
  if (n === 0) throw new InvarlockError('E_INTERNAL', 'a paired summary needs at least one window');
  for (const array of arrays) {
    if (array.length !== n) {
      throw new InvarlockError('E_INTERNAL', `paired arrays differ in length: ${n} window ids, ${array.length} values`, {
        details: { expected: String(n), actual: String(array.length) },
      });
    }
  }
  return n;
}

function checkFinite(value: number, windowId: string | undefined, field: 'delta' | 'subject_loss' | 'baseline_loss'): void {
  if (Number.isFinite(value)) return;
  const window = windowId ?? '?';
  throw new InvarlockError('E_NONFINITE_LOSS', `window ${window} has a non-finite ${field} (${value})`, {
    details: { window, field, actual: String(value) },
    hint: 'A NaN or infinite loss usually means overflow in a low-precision model; check the model on this window alone.',
  });
}
