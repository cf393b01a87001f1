import { sortedCopy, quantileSorted } from './quantile.js';

/** Quantiles of the per-window Δ of one arm (ALGORITHMS.md §4, "Tail"). */
export interface TailSummary {
  /** Number of windows. */
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** #(Δᵢ > massThreshold) / n. */
  readonly mass: number;
  /** The threshold `mass` counted against (nats). */
  readonly massThreshold: number;
}

/**
 * P50/P90/P95/P99 (linear interpolation at q·(n − 1)), max and tail mass of per-window Δ, windows
 * counted equally. `massThreshold` is the policy's `tail.mass_threshold` (1e-4 nats by default).
 * Throws `E_INTERNAL` for an empty sample or a NaN value.
 */
export function summarizeTail(deltas: ArrayLike<number>, options: { readonly massThreshold: number }): TailSummary {
  const sorted = sortedCopy(deltas);
  const n = sorted.length;
  let above = 0;
  for (let i = 0; i < n; i++) if (sorted[i] > options.massThreshold) above++;
  return {
    n,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[n - 1],
    mass: above / n,
    massThreshold: options.massThreshold,
  };
}
