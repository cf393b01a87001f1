/**
 * The contract of the guards layer: results, violations and the policy records each guard reads.
 * Policy field names mirror ALGORITHMS.md §1, §5 and §8 in camelCase; the numbers come from
 * `contracts/tiers.json` (mapped by core), never from literals here.
 */
import type { ThresholdFamily, WeightFamily, WeightMatrix, WeightRole } from '../edits/index.js';
import type { MatrixStats } from './linalg/matrix-stats.js';

/** The guards. */
export type GuardName = 'invariants' | 'spectral' | 'rmt' | 'variance';

/** Outcome of one guard: `not_evaluated` carries a reason (nothing to measure, monitor-only, too little data). */
export type GuardStatus = 'pass' | 'warn' | 'fail' | 'not_evaluated';

/**
 * How a violation weighs: `fatal` fails the guard alone; `budgeted` counts against a cap (spectral
 * `maxCaps`); `warning` makes the guard `warn`.
 */
export type ViolationSeverity = 'fatal' | 'budgeted' | 'warning';

/** One finding about one tensor (or a whole family or model when `key` is null). */
export interface GuardViolation {
  /** Stable code users can look up, e.g. `nonfinite_weights`, `spectral_ratio`. */
  readonly code: string;
  readonly severity: ViolationSeverity;
  readonly key: string | null;
  readonly module: string | null;
  readonly family: WeightFamily | null;
  readonly message: string;
  /** The measured value and the threshold it crossed (null when the finding is not numeric). */
  readonly value: number | null;
  readonly threshold: number | null;
}

/** A guard's verdict and everything it measured. */
export interface GuardResult<M = Readonly<Record<string, unknown>>> {
  readonly guard: GuardName;
  readonly status: GuardStatus;
  /** False exactly when `status` is `not_evaluated`. */
  readonly evaluated: boolean;
  /** Why the guard was not evaluated, or a one-line summary of a failure. */
  readonly reason?: string;
  readonly measurements: M;
  readonly violations: readonly GuardViolation[];
}

/** One weight's measurements, with the identity needed to pair and group it. */
export interface WeightStats {
  readonly key: string;
  readonly module: string;
  readonly role: WeightRole;
  readonly family: WeightFamily;
  readonly layer: number | null;
  readonly stats: MatrixStats;
}

// ---------------------------------------------------------------- invariants

/** Invariants policy: `strict` turns every warning into a fatal violation. */
export interface InvariantsPolicy {
  readonly mode: 'standard' | 'strict';
}

/** A weight's record without its values: what the guards keep of a weight once it is measured. */
export type WeightDescriptor = Omit<WeightMatrix, 'data'>;

/**
 * A weight as the invariants guard needs it when its values are gone (streamed, or from a saved
 * baseline evaluation): its record and its count of NaN/±Inf values.
 */
export interface WeightSummary extends WeightDescriptor {
  /** Count of NaN and ±Inf values. */
  readonly nonFinite: number;
  /** Index of the first of them, or −1. */
  readonly firstNonFinite: number;
}

/** One model as the invariants guard sees it. */
export interface InvariantsSide<W extends WeightMatrix | WeightSummary = WeightMatrix | WeightSummary> {
  /**
   * Logical (dequantized) weights in graph order, including norms and embeddings: with their values,
   * or as summaries (then a tie is judged on the subject's values only).
   */
  readonly weights: readonly W[];
  readonly tokenizerHash: string;
  /** Logical parameter count (after dequantization); default: the sum of rows·cols over `weights`. */
  readonly paramCount?: number;
  /** Lines of the logical structure hash; default: `role:layer:rows×cols` of every weight (see `structureHashOf`). */
  readonly structureLines?: readonly string[];
  /** Bits of each weight stored quantized (QDQ int8 → 8, MatMulNBits → its `bits`), by key; float weights absent. */
  readonly quantizedBits?: ReadonlyMap<string, number>;
}

/** Input of the invariants guard: both models, paired by `WeightMatrix.key`. */
export interface InvariantsInput {
  readonly baseline: InvariantsSide;
  /** The subject's values are needed: a tie holds when its two weights hold equal data. */
  readonly subject: InvariantsSide<WeightMatrix>;
  /**
   * `own`: each model scores the evaluation text with its own tokenizer (the `nll_per_byte` metric),
   * so a different tokenizer or vocabulary size is what is being certified, not a fault.
   * @default 'shared'
   */
  readonly vocabulary?: 'shared' | 'own';
}

// ---------------------------------------------------------------- spectral

/** Multiple-testing correction over families (ALGORITHMS.md §5). */
export interface MultipleTestingPolicy {
  readonly method: 'bh' | 'bonferroni';
  readonly alpha: number;
  /** Number of tests assumed; m_eff = max(m, families with candidates, 1). */
  readonly m: number;
}

/** Per-family thresholds, for the families the tiers set them for (`experts` take `ffn`'s: `THRESHOLD_FAMILY`). */
export type FamilyTable<T> = Readonly<Record<ThresholdFamily, T>>;

/** Degeneracy thresholds (subject/baseline ratios): below `warn` warns, below `fatal` fails. */
export interface DegeneracyPolicy {
  readonly stableRankWarn: number;
  readonly stableRankFatal: number;
  readonly normCollapseWarn: number;
  readonly normCollapseFatal: number;
}

/** Spectral guard policy (ALGORITHMS.md §1 and §5). */
export interface SpectralPolicy {
  /** |ρ − 1| above this is a (budgeted) violation. */
  readonly deadband: number;
  /** More budgeted violations than this fail the guard. */
  readonly maxCaps: number;
  /** z-score caps κ per family (telemetry). */
  readonly kappa: FamilyTable<number>;
  readonly multipleTesting: MultipleTestingPolicy;
  readonly degeneracy: DegeneracyPolicy;
}

/** Input of the spectral guard: stats of both models' weights, paired by key (from `measureWeights`). */
export interface SpectralInput {
  readonly baseline: readonly WeightStats[];
  readonly subject: readonly WeightStats[];
}

// ---------------------------------------------------------------- rmt

/** RMT guard policy: allowed relative growth ε of the family statistic. */
export interface RmtPolicy {
  readonly epsilon: FamilyTable<number>;
}

/** The RMT statistic of one module on one calibration window. */
export interface RmtWindowMeasurement {
  readonly windowId: string;
  /** Token rows of the activation matrix (the weight of this window in the module mean). */
  readonly tokens: number;
  /** r = σ̂ / (√m + √n) from `computeActivationRmt`. */
  readonly ratio: number;
  /** NaN/Inf activations in the window (the ratio is 0 then). */
  readonly nonFinite: number;
}

/** One module's activation measurements over the calibration windows. */
export interface RmtModuleMeasurement {
  readonly key: string;
  readonly module: string;
  readonly family: WeightFamily;
  readonly windows: readonly RmtWindowMeasurement[];
}

/** Input of the RMT guard. Both models must be measured on the same windows. */
export interface RmtInput {
  readonly baseline: readonly RmtModuleMeasurement[];
  readonly subject: readonly RmtModuleMeasurement[];
  /** Weight stats with `mp` for the Marchenko–Pastur outlier telemetry; omit to skip it. */
  readonly weights?: SpectralInput;
}

// ---------------------------------------------------------------- variance

/** Which taps VE scales: FFN down projections, or those and the attention output projections. */
export type VeScope = 'ffn' | 'ffn_attn_out';

/** Variance-equalisation policy (ALGORITHMS.md §5, §8). */
export interface VariancePolicy {
  readonly scope: VeScope;
  /** Scale windows = min(floor(maxCalib/10), 50). */
  readonly maxCalib: number;
  /** A/B windows K, the fewest A/B windows accepted, and the VE bootstrap seed. */
  readonly abWindows: number;
  readonly minCoverage: number;
  readonly seed: number;
  /** [low, high] clamp of α. */
  readonly clamp: readonly [number, number];
  /** |α − 1| ≤ deadband: not adjusted. */
  readonly deadband: number;
  /** |α − 1| below this after the step limit: not adjusted. */
  readonly minAbsAdjust: number;
  /** Largest |α − 1| applied in one step. */
  readonly maxScaleStep: number;
  /** When nothing clears the deadband, adjust this many modules with the largest |α − 1| anyway (0 = off). */
  readonly topkBackstop: number;
  /** Most modules adjusted, largest |α − 1| first (0 = no cap). */
  readonly maxAdjustedModules: number;
  /** Least log-NLL gain −mean Δ for enabling. */
  readonly minGain: number;
  /** Least relative perplexity gain (PPL_A − PPL_B)/PPL_A for enabling. */
  readonly minRelGain: number;
  /** Least absolute perplexity gain PPL_A − PPL_B for enabling (0.05). */
  readonly minAbsGain: number;
  /** |PPL_B/PPL_A − 1| at or below this is a tie: not enabled. */
  readonly tieBreakerDeadband: number;
  /** Least effect (log-NLL) the CI must clear. */
  readonly minEffectLognll: number;
  readonly sidedness: 'one_sided' | 'two_sided';
  /** Bootstrap replicates and two-sided α of the A/B CI (500, 0.05). */
  readonly replicates: number;
  readonly alpha: number;
}

/**
 * Bootstrap CI of the weighted mean of `deltas` (injected: the statistics live in src/eval).
 * @param options.alpha two-sided miscoverage (0.05 → 95 % interval).
 */
export type BootstrapCiFn = (
  deltas: readonly number[],
  weights: readonly number[],
  options: { readonly replicates: number; readonly alpha: number; readonly seed: number },
) => { readonly low: number; readonly high: number };
