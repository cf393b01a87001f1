import type { Policy } from './types.js';

/** What a run has (or plans) against the tier's floors. */
export interface CoverageCounts {
  readonly previewWindows: number;
  readonly finalWindows: number;
  readonly replicates: number;
  /** Scored tokens, preview + final; null before the windows are built. */
  readonly tokens: number | null;
}

/** A floor the counts fall short of. */
export interface CoverageGap {
  readonly floor: 'window_floor_preview' | 'window_floor_final' | 'min_replicates' | 'token_floor';
  readonly required: number;
  readonly actual: number;
}

/**
 * The counts against the floors. `enforcement` is the profile's: with `enforced` (ci, release) a
 * `short` report means the runner raises the counts or stops with `E_COVERAGE`; with
 * `informational` (dev) it is reported only.
 */
export type CoverageReport =
  | { readonly status: 'met'; readonly enforcement: 'enforced' | 'informational' }
  | { readonly status: 'short'; readonly enforcement: 'enforced' | 'informational'; readonly gaps: readonly CoverageGap[] };

/** The counts a policy plans: the profile's windows and replicates, tokens not yet known. */
export function plannedCounts(policy: Policy): CoverageCounts {
  return {
    previewWindows: policy.windows.preview_n,
    finalWindows: policy.windows.final_n,
    replicates: policy.thresholds.bootstrap.replicates,
    tokens: null,
  };
}

/**
 * Compares counts with the tier's floors (window floors, bootstrap replicates, tokens when known);
 * by default the policy's own planned counts, which reports a tier/profile pair that is below its
 * floors before any work (conservative + ci is: 200 < 220 windows, 1200 < 1500 replicates).
 * A value, never an exception: the runner decides.
 */
export function coverageShortfall(policy: Policy, counts: CoverageCounts = plannedCounts(policy)): CoverageReport {
  const pm = policy.thresholds.primary_metric;
  const checks: readonly [CoverageGap['floor'], number, number | null][] = [
    ['window_floor_preview', pm.window_floor_preview, counts.previewWindows],
    ['window_floor_final', pm.window_floor_final, counts.finalWindows],
    ['min_replicates', policy.thresholds.bootstrap.min_replicates, counts.replicates],
    ['token_floor', pm.token_floor, counts.tokens],
  ];
  const gaps = checks.filter(([, required, actual]) => actual !== null && actual < required).map(([floor, required, actual]) => ({ floor, required, actual: actual ?? 0 }));
  const enforcement = pm.floors;
  return gaps.length === 0 ? { status: 'met', enforcement } : { status: 'short', enforcement, gaps };
}
