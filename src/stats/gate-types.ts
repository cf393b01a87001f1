/** Outcome of one gate or guard; `not_evaluated` never counts as a pass. */
export type GateStatus = 'pass' | 'warn' | 'fail' | 'not_evaluated';

/** The statistical gates decided in this module (names as in the certificate's `gateName`). */
export type GateName = 'primary_metric' | 'drift' | 'catastrophe' | 'tail' | 'guard_overhead';

/**
 * What the gate compares with its threshold: the upper bound of the ratio CI, the lower bound of the
 * Δ CI (accuracy, percentage points), a point value, or the P95 of per-window Δ.
 */
export type GateBasis = 'ratio_ci_high' | 'delta_ci_low' | 'point' | 'p95';

/** The passing region: measured ≤ value, measured ≥ value, or low ≤ measured ≤ high. */
export type GateThreshold =
  | { readonly op: 'le'; readonly value: number }
  | { readonly op: 'ge'; readonly value: number }
  | { readonly op: 'within'; readonly low: number; readonly high: number };

/** Stable reason codes of gate records (snake_case, as certificate verdict reasons). */
export type GateReasonCode =
  | 'ratio_ci_above_limit'
  | 'hysteresis_applied'
  | 'accuracy_ci_below_limit'
  | 'below_token_floor'
  | 'below_preview_window_floor'
  | 'below_final_window_floor'
  | 'below_min_replicates'
  | 'below_min_examples'
  | 'drift_out_of_band'
  | 'catastrophic_ppl_spike'
  | 'tail_p95_above_limit'
  | 'guard_overhead_above_limit'
  | NotEvaluatedCode;

/** Why a gate was not evaluated. */
export type NotEvaluatedCode = 'stopped_after_catastrophe' | 'not_applicable' | 'no_measurement';

/** One reason on a gate record; `effect` says what it did to the status (`info` changes nothing). */
export interface GateReason {
  readonly code: GateReasonCode;
  readonly message: string;
  readonly effect: 'fail' | 'warn' | 'info';
}

interface GateRecordBase {
  readonly gate: GateName;
  readonly threshold: GateThreshold;
  readonly basis: GateBasis;
  /** Every finding, in a fixed order; empty for a clean pass. */
  readonly reasons: readonly GateReason[];
}

/** A gate that was decided. */
export interface EvaluatedGate extends GateRecordBase {
  readonly status: 'pass' | 'warn' | 'fail';
  /** The value compared with the threshold, in the threshold's unit. */
  readonly measured: number;
  /**
   * Signed distance from `measured` to the boundary where the metric's verdict flips, in the unit
   * of `measured`: ≥ 0 on the passing side (how far it may still move), < 0 on the failing side (how
   * far it must move back). For a band, the distance to the nearer edge. Floors are not included.
   */
  readonly marginToFlip: number;
}

/** A gate that could not be decided (the final arm was skipped, or the metric kind has no such gate). */
export interface NotEvaluatedGate extends GateRecordBase {
  readonly status: 'not_evaluated';
  readonly measured: null;
  readonly marginToFlip: null;
}

/** The record every gate decision returns. */
export type GateRecord = EvaluatedGate | NotEvaluatedGate;

/**
 * The thresholds the gates read: a structural subset of the resolved policy's `thresholds` (and of
 * the certificate's `policy.thresholds`), so `certify` passes its policy and `verify` the recorded one.
 */
export interface GateThresholds {
  readonly primary_metric: {
    /** L: the ppl ratio limit. */
    readonly ratio_limit: number;
    /** Added to L for the upper-CI comparison. */
    readonly hysteresis: number;
    /** Lower limit on the Δ accuracy CI's lower bound (percentage points). */
    readonly accuracy_delta_limit_pp: number;
    readonly accuracy_min_examples: number;
    /** Scored tokens, preview + final. */
    readonly token_floor: number;
    readonly window_floor_preview: number;
    readonly window_floor_final: number;
    /** informational (dev): floors are reported, never failed on. */
    readonly floors: 'enforced' | 'informational';
  };
  readonly bootstrap: { readonly min_replicates: number };
  readonly drift_band: readonly [number, number];
  readonly catastrophe_ratio: number;
  readonly tail: { readonly p95_limit: number; readonly mode: 'warn' | 'fail' };
  readonly guard_overhead: { readonly limit: number };
}
