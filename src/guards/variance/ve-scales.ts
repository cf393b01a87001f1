import type { WeightRole } from '../../edits/index.js';
import type { VariancePolicy, VeScope } from '../types.js';

/** Per-window E[y²] of one VE tap (the output of a block's down projection, or attention output, before the residual add). */
export interface VeTapSamples {
  /** Key of the weight whose output is the tap (the matrix VE scales). */
  readonly key: string;
  readonly module: string;
  readonly role: WeightRole;
  /** E[y²] per scale window, in window order. */
  readonly samples: readonly number[];
}

/** Why a tap got, or did not get, a scale. */
export type VeScaleStatus = 'adjusted' | 'backstop' | 'within_deadband' | 'below_min_abs_adjust' | 'capped' | 'invalid_variance';

/** The scale decision for one tap. */
export interface VeTapScale {
  readonly key: string;
  readonly module: string;
  /** Robust variance estimate (see {@link estimateVeVariance}); NaN when no finite sample. */
  readonly variance: number;
  /** clamp(1/√variance); NaN when the variance is not positive and finite. */
  readonly clampedScale: number;
  /** The α to apply, or null when the tap is left alone. */
  readonly scale: number | null;
  readonly status: VeScaleStatus;
}

/** Proposed VE scales. */
export interface VeProposal {
  readonly taps: readonly VeTapScale[];
  /** key → α of the taps to adjust. */
  readonly scales: ReadonlyMap<string, number>;
}

/** Number of scale windows: min(floor(maxCalib/10), 50) (ALGORITHMS.md §5). */
export function veScaleWindowCount(policy: Pick<VariancePolicy, 'maxCalib'>): number {
  return Math.min(Math.floor(policy.maxCalib / 10), 50);
}

/** The roles of the taps a scope covers: ffn → `down`; ffn_attn_out → `down` and `o`. */
export function veScopeRoles(scope: VeScope): readonly WeightRole[] {
  return scope === 'ffn' ? ['down'] : ['down', 'o'];
}

/**
 * Robust variance from per-window E[y²] samples (ALGORITHMS.md §5): non-finite samples dropped; with
 * ≥ 10 samples winsorised to their 2 % and 98 % quantiles (linear interpolation at q·(n − 1)); split in
 * order into min(8, n) contiguous chunks (sizes differ by at most one, larger first); the median of
 * the chunk means (mean of the middle two for an even count). NaN without a finite sample.
 */
export function estimateVeVariance(samples: readonly number[]): number {
  const finite = samples.filter((x) => Number.isFinite(x));
  const n = finite.length;
  if (n === 0) return NaN;
  let values = finite;
  if (n >= 10) {
    const sorted = [...finite].sort((a, b) => a - b);
    const lo = quantileOfSorted(sorted, 0.02);
    const hi = quantileOfSorted(sorted, 0.98);
    values = finite.map((x) => Math.min(hi, Math.max(lo, x)));
  }
  const chunks = Math.min(8, n);
  const base = Math.floor(n / chunks);
  const extra = n % chunks;
  const means: number[] = [];
  let start = 0;
  for (let c = 0; c < chunks; c++) {
    const size = base + (c < extra ? 1 : 0);
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += values[i] ?? 0;
    means.push(sum / size);
    start += size;
  }
  means.sort((a, b) => a - b);
  const mid = means.length >> 1;
  return means.length % 2 === 1 ? (means[mid] ?? NaN) : ((means[mid - 1] ?? NaN) + (means[mid] ?? NaN)) / 2;
}

/**
 * Proposes VE scales for the in-scope taps (ALGORITHMS.md §5, §8): α = clamp(1/√var, clamp); left
 * alone when |α − 1| ≤ deadband (`within_deadband`) or |α − 1| < minAbsAdjust (`below_min_abs_adjust`);
 * otherwise applied limited to 1 ± maxScaleStep (`adjusted`). When no tap is adjusted and
 * `topkBackstop` > 0, the `topkBackstop` taps with the largest |α − 1| ≥ minAbsAdjust are adjusted
 * anyway, step-limited (`backstop`). Finally at most `maxAdjustedModules` (0 = no cap) are kept, those
 * that need it most (largest clamped |α − 1|) first, ties in input order; the rest are `capped`.
 * The floor is tested before the step limit, so a step smaller than the floor (conservative:
 * 0.015 < 0.02) still adjusts.
 */
export function proposeVeScales(taps: readonly VeTapSamples[], policy: VariancePolicy): VeProposal {
  const roles = veScopeRoles(policy.scope);
  const [lo, hi] = policy.clamp;
  const stepped = (alpha: number): number => {
    const deviation = alpha - 1;
    const limit = policy.maxScaleStep > 0 ? policy.maxScaleStep : Infinity;
    return 1 + Math.sign(deviation) * Math.min(Math.abs(deviation), limit);
  };
  const decisions = taps
    .filter((tap) => roles.includes(tap.role))
    .map((tap): { key: string; module: string; variance: number; clampedScale: number; scale: number | null; status: VeScaleStatus } => {
      const variance = estimateVeVariance(tap.samples);
      if (!(variance > 0) || !Number.isFinite(variance)) {
        return { key: tap.key, module: tap.module, variance, clampedScale: NaN, scale: null, status: 'invalid_variance' };
      }
      const clampedScale = Math.min(hi, Math.max(lo, 1 / Math.sqrt(variance)));
      const deviation = Math.abs(clampedScale - 1);
      if (deviation <= policy.deadband) return { key: tap.key, module: tap.module, variance, clampedScale, scale: null, status: 'within_deadband' };
      if (deviation < policy.minAbsAdjust) return { key: tap.key, module: tap.module, variance, clampedScale, scale: null, status: 'below_min_abs_adjust' };
      return { key: tap.key, module: tap.module, variance, clampedScale, scale: stepped(clampedScale), status: 'adjusted' };
    });
  const byDeviation = (indices: number[], deviation: (i: number) => number): number[] =>
    indices.sort((a, b) => deviation(b) - deviation(a) || a - b);
  if (policy.topkBackstop > 0 && !decisions.some((d) => d.status === 'adjusted')) {
    const eligible = decisions.flatMap((d, i) => (Number.isFinite(d.clampedScale) && Math.abs(d.clampedScale - 1) >= policy.minAbsAdjust ? [i] : []));
    for (const i of byDeviation(eligible, (j) => Math.abs((decisions[j]?.clampedScale ?? 1) - 1)).slice(0, policy.topkBackstop)) {
      const d = decisions[i];
      if (d !== undefined) decisions[i] = { ...d, scale: stepped(d.clampedScale), status: 'backstop' };
    }
  }
  if (policy.maxAdjustedModules > 0) {
    const adjusted = decisions.flatMap((d, i) => (d.scale !== null ? [i] : []));
    for (const i of byDeviation(adjusted, (j) => Math.abs((decisions[j]?.clampedScale ?? 1) - 1)).slice(policy.maxAdjustedModules)) {
      const d = decisions[i];
      if (d !== undefined) decisions[i] = { ...d, scale: null, status: 'capped' };
    }
  }
  const scales = new Map(decisions.flatMap((d) => (d.scale === null ? [] : [[d.key, d.scale] as const])));
  return { taps: decisions, scales };
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  const a = sorted[lower] ?? NaN;
  const b = sorted[upper] ?? NaN;
  return a + (b - a) * (position - lower);
}
