/**
 * The Evaluation Certificate as TypeScript: a hand-written mirror of
 * `contracts/certificate.schema.json` (the source of truth). Every field the schema requires is
 * required here, nullable where the schema allows null, and no field is optional, so
 * `tests/report/certificate-types.test.ts` can prove both describe the same keys: it validates two
 * typed literals (one with every nullable value filled, one with every nullable value null) against
 * the schema and compares their key paths and null paths with the schema's.
 *
 * Units: ratios are unitless; Δ is log-loss in nats per scored token (perplexity kinds) or
 * percentage points (accuracy); durations are milliseconds; hashes are lowercase hex sha256.
 */
import type { AdapterName, ThresholdFamily, WeightFamily } from '../../adapters/index.js';
import type { ProfileName, TierName } from '../../contracts/index.js';
import type { EditName } from '../../edits/index.js';
import type { GateThresholds } from '../../stats/index.js';

/** The run's outcome: see ALGORITHMS.md §4 and ACTION.md "Verdicts". */
export type VerdictStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

/** Outcome of one check that may not have run. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'not_evaluated';

/** The gate a verdict reason belongs to. */
export type GateName =
  | 'primary_metric'
  | 'drift'
  | 'invariants'
  | 'spectral'
  | 'rmt'
  | 'guard_overhead'
  | 'pairing'
  | 'tail'
  | 'variance'
  | 'catastrophe'
  | 'coverage'
  | 'run';

/** Weight family, by role in the model interface (the adapters' vocabulary; `experts` only in mixture-of-experts models). */
export type Family = WeightFamily;

/**
 * Primary metric kind, one per adapter family, and `nll_per_byte`: NLL per UTF-8 byte of paired
 * text spans, which each model tokenizes with its own tokenizer (causal models, config `metric`).
 */
export type MetricKind = 'ppl_causal' | 'ppl_mlm' | 'ppl_seq2seq' | 'accuracy' | 'nll_per_byte';

/** Bootstrap interval method the policy asks for (both resample windows with probability ∝ weight). */
export type BootstrapMethod = 'bca_weighted' | 'percentile_weighted';

/** How an interval was actually formed. */
export type IntervalMethod = 'bca' | 'percentile' | 'degenerate' | 'normal';

/** Why BCa fell back to the percentile interval. */
export type IntervalFallback = 'zero_jackknife_variance' | 'acceleration_out_of_range';

// Tier (sets the thresholds), profile (sample sizes and replicates), the adapter that loaded a
// model and the built-in edit: one vocabulary each, defined by the layer that owns the concept.
export type { AdapterName, EditName, ProfileName, TierName };
/** onnxruntime execution provider the run used. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt' | 'dml' | 'coreml' | 'webgpu';
/** Weight storage formats found in a model (`other` for anything not listed). */
export type QuantizationFormat =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'qdq_int8'
  | 'dynamic_int8'
  | 'matmulnbits_int4'
  | 'matmulnbits'
  | 'other';

/** A closed interval `[low, high]`. */
export type Interval = readonly [number, number];

/**
 * How a guard's failure counts (contracts/tiers.json `<guard>.mode`): `gate` fails the run;
 * `advisory` is measured and shown in every report but makes the verdict at most `warn`, for a
 * guard that the calibration (bench/calibration) found cannot reach ≤ 1 % false alarms at its
 * detection benefit in that tier.
 */
export type GuardMode = 'gate' | 'advisory';

/** A value per weight family the tiers set thresholds for (`experts` and `cross_attn` are held to `ffn`'s and `attn`'s: `THRESHOLD_FAMILY`). */
export type PerFamily = Readonly<Record<ThresholdFamily, number>>;

/** One line of why the verdict is not a plain pass. */
export interface VerdictReason {
  /** Stable snake_case code (e.g. `primary_metric_ci_above_limit`) or an error code for `error`. */
  readonly code: string;
  readonly gate: GateName;
  readonly message: string;
}

/** The verdict, its evidence class and its reasons in gate order. */
export interface Verdict {
  readonly status: VerdictStatus;
  /** `dev`: floors were informational only; not release evidence. */
  readonly evidence: 'release' | 'dev';
  readonly reasons: readonly VerdictReason[];
}

/** Each gate's outcome: true passed, false failed, null not evaluated. */
export interface ValidationFlags {
  readonly primary_metric_acceptable: boolean | null;
  readonly drift_acceptable: boolean | null;
  readonly invariants_pass: boolean | null;
  readonly spectral_stable: boolean | null;
  readonly rmt_stable: boolean | null;
  readonly guard_overhead_acceptable: boolean | null;
  readonly pairing_ok: boolean | null;
  readonly tail_acceptable: boolean | null;
}

/** Per-arm metric of one model: perplexity, or accuracy in percent. */
export interface ArmValues {
  readonly preview: number | null;
  readonly final: number | null;
}

/** A count per arm of the paired evaluation. */
export interface ArmCounts {
  readonly preview: number;
  readonly final: number;
}

/** The paired comparison on the final windows, with the preview arm's ratio for drift and catastrophe. */
export interface PrimaryMetric {
  readonly kind: MetricKind;
  readonly baseline: ArmValues;
  readonly subject: ArmValues;
  /** exp(weighted mean Δ) on final windows; null for accuracy. */
  readonly ratio: number | null;
  /** exp(delta_ci), exactly; null for accuracy. */
  readonly ratio_ci: Interval | null;
  /** Weighted mean Δ on final windows (nats, or points for accuracy). */
  readonly delta_mean: number | null;
  readonly delta_ci: Interval | null;
  readonly preview_ratio: number | null;
  readonly preview_delta_mean: number | null;
  /** ratio / preview_ratio (perplexity kinds); null for accuracy. */
  readonly drift: number | null;
  readonly gate_basis: 'ratio_ci_high' | 'delta_ci_low';
  readonly gate_value: number | null;
  readonly limit: number;
  readonly hysteresis: number;
  readonly hysteresis_applied: boolean;
  /** Scored tokens per arm (examples for accuracy). */
  readonly tokens: ArmCounts;
  readonly windows: ArmCounts;
  readonly method: BootstrapMethod;
  /** null when no interval was computed. */
  readonly ci_method: IntervalMethod | null;
  readonly ci_fallback: IntervalFallback | null;
  readonly replicates: number;
  readonly alpha: number;
  readonly seed: number;
  readonly reason: string | null;
}

/** Parallel arrays, one entry per window in evaluation order. */
export interface TokenWindowArm {
  /** Window ids of the evaluation plan (`w<token offset>`, `e<example index>`; `w<code point offset>` for spans). */
  readonly ids: readonly string[];
  /** Scored tokens per window (1 per example for accuracy; UTF-8 bytes of the span for nll_per_byte). */
  readonly weights: readonly number[];
  /** Mean log-loss per scored token in nats (perplexity kinds), per byte (nll_per_byte), or correctness 0/1 (accuracy). */
  readonly baseline: readonly number[];
  readonly subject: readonly number[];
  /** subject − baseline (nats; per byte for nll_per_byte), or 100·(subject − baseline) percentage points for accuracy. */
  readonly delta: readonly number[];
}

/** Tokens each model's tokenizer made of each span, parallel to the window arrays. */
export interface SpanTokens {
  readonly baseline: readonly number[];
  readonly subject: readonly number[];
}

/** The windows of an `nll_per_byte` certificate: text spans, with each model's token count per span. */
export interface SpanWindowArm extends TokenWindowArm {
  readonly tokens: SpanTokens;
}

/** One arm's per-window data: token windows, or text spans (nll_per_byte). */
export type WindowArm = TokenWindowArm | SpanWindowArm;

/** Per-window data of both arms. */
export interface Windows {
  readonly preview: WindowArm;
  readonly final: WindowArm;
}

/** How well the two models' evaluations pair up (ALGORITHMS.md §2). */
export interface Pairing {
  /** Fraction of windows scored on identical token ids in both models. */
  readonly match: number | null;
  /** Fraction of scored positions scored more than once. */
  readonly overlap: number | null;
  readonly duplicates: number;
  readonly counts: { readonly baseline: ArmCounts; readonly subject: ArmCounts };
  readonly reason: string | null;
}

/** Quantiles of per-window Δ (linear interpolation at q·(n − 1)). */
export interface TailQuantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}

/** The tail of the per-window Δ on the final windows and its gate. */
export interface Tail {
  readonly quantiles: TailQuantiles | null;
  readonly max: number | null;
  /** Fraction of final windows with Δ above the policy's mass threshold. */
  readonly mass: number | null;
  readonly limit: number;
  readonly status: CheckStatus;
  readonly reason: string | null;
}

/** One guard finding; `value` and `threshold` in the guard's own units. */
export interface Violation {
  readonly code: string;
  readonly severity: 'warning' | 'fatal';
  readonly module: string | null;
  readonly family: Family | null;
  readonly message: string;
  readonly value: number | null;
  readonly threshold: number | null;
}

/** Fields every guard block has; `M` is the guard's measurements record. */
export interface GuardBlock<M> {
  readonly status: CheckStatus;
  /** false: the guard did not run; `reason` says why and `status` is `not_evaluated`. */
  readonly evaluated: boolean;
  readonly reason: string | null;
  readonly measurements: M | null;
  readonly violations: readonly Violation[];
}

/** A value for each model. */
export interface Pair<T> {
  readonly baseline: T;
  readonly subject: T;
}

/** What the invariants guard compared. */
export interface InvariantsMeasurements {
  readonly param_count: Pair<number | null>;
  readonly structure_hash: Pair<string | null>;
  readonly nonfinite_weights: number | null;
  readonly weights_tied: Pair<boolean | null>;
  readonly missing_modules: number | null;
}

/** One 2-D weight in the spectral guard's scope. */
export interface SpectralModule {
  readonly module: string;
  readonly family: Family;
  readonly layer: number | null;
  readonly sigma_baseline: number | null;
  readonly sigma_subject: number | null;
  /** σ_subject / σ_baseline; null when non-finite. */
  readonly ratio: number | null;
  readonly stable_rank_ratio: number | null;
  readonly norm_collapse_ratio: number | null;
}

/** Spectral telemetry of one family. */
export interface SpectralFamily {
  readonly family: Family;
  readonly modules: number;
  readonly violations: number;
  readonly max_abs_change: number | null;
  readonly z_max: number | null;
  readonly p_value: number | null;
  readonly selected: boolean;
}

/** What the spectral guard measured. */
export interface SpectralMeasurements {
  readonly modules: readonly SpectralModule[];
  readonly families: readonly SpectralFamily[];
  /** Modules with |ρ − 1| above the deadband. */
  readonly caps: number;
  /** Modules with non-finite ρ or a fatal degeneracy. */
  readonly fatal: number;
}

/** RMT edge ratios of one family (max over its modules). */
export interface RmtFamily {
  readonly family: Family;
  /** Max over the family's modules of the edge ratio r = σ̂ / (√m + √n). */
  readonly baseline: number | null;
  readonly subject: number | null;
  readonly outliers_baseline: number | null;
  readonly outliers_subject: number | null;
}

/** RMT edge ratio of one captured module (token-weighted mean over windows). */
export interface RmtModule {
  readonly module: string;
  readonly family: Family;
  readonly baseline: number | null;
  readonly subject: number | null;
}

/** What the RMT guard measured. */
export interface RmtMeasurements {
  readonly windows: number;
  readonly families: readonly RmtFamily[];
  readonly modules: readonly RmtModule[];
}

/** The variance guard's A/B test and the scales it chose. */
export interface VarianceMeasurements {
  readonly mode: 'edit' | 'monitor';
  readonly enabled: boolean;
  readonly ab_windows: number;
  readonly delta_mean: number | null;
  readonly delta_ci: Interval | null;
  readonly gain_abs: number | null;
  readonly gain_rel: number | null;
  readonly predictive_gate: 'pass' | 'fail' | 'not_run';
  readonly scales: readonly { readonly module: string; readonly scale: number }[];
}

/** Every guard's block; a guard that did not run says so (`evaluated: false`). */
export interface Guards {
  readonly invariants: GuardBlock<InvariantsMeasurements>;
  readonly spectral: GuardBlock<SpectralMeasurements>;
  readonly rmt: GuardBlock<RmtMeasurements>;
  readonly variance: GuardBlock<VarianceMeasurements>;
}

/** Perplexity with guard adjustments over perplexity without, on the same windows. */
export interface GuardOverhead {
  readonly evaluated: boolean;
  /** Perplexity without guard adjustments. */
  readonly bare: number | null;
  readonly guarded: number | null;
  readonly ratio: number | null;
  readonly limit: number;
  readonly reason: string | null;
}

/** A JSON value (edit configurations are the edit layer's own records). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A built-in edit of the baseline. */
export interface EditChange {
  readonly kind: 'edit';
  readonly name: EditName;
  readonly config: { readonly [key: string]: JsonValue };
  /** sha256 of the canonical JSON of `{ name, config }`. */
  readonly plan_digest: string;
  readonly params_changed: number | null;
  readonly modules_touched: readonly string[];
  readonly rolled_back: boolean;
}

/** A given subject compared with the baseline. */
export interface CompareChange {
  readonly kind: 'compare';
  readonly label: string;
  readonly params_changed: number | null;
  readonly modules_touched: readonly string[] | null;
}

/** What was certified. */
export type Change = EditChange | CompareChange;

/** A summary of the adapter's `describe()`; null fields were not known. */
export interface ModelDescribe {
  readonly model_type: string | null;
  readonly layers: number | null;
  readonly hidden_size: number | null;
  readonly heads: number | null;
  readonly vocab_size: number | null;
  readonly parameters: number | null;
  readonly opset: number | null;
}

/** A PEFT adapter merged into the subject. */
export interface LoraAdapterIdentity {
  readonly reference: string;
  readonly sha256: string | null;
  readonly rank: number;
  readonly alpha: number;
  readonly weight: number;
}

/** Who a model is: reference, hashes, adapter, formats, tokenizer. */
export interface ModelIdentity {
  readonly reference: string;
  readonly label: string;
  readonly revision: string | null;
  readonly file_sha256: string | null;
  readonly adapter: AdapterName;
  readonly describe: ModelDescribe | null;
  readonly quantization_formats: readonly QuantizationFormat[];
  readonly lora_adapters: readonly LoraAdapterIdentity[];
  readonly tokenizer_hash: string | null;
  /** How the weights were mapped to roles; null when not recorded (the key is absent in certificates made before it existed). */
  readonly interface: ModelInterfaceRecord | null;
}

/** How a model's weights were mapped to roles (issue #11). */
export interface ModelInterfaceRecord {
  readonly provenance: 'bundled' | 'user' | 'inferred';
  /** `bundled:<model_type>`, `config`, `bundled:<model_type>+config` or `inferred`. */
  readonly origin: string;
  /** The evidence that named the most weights. */
  readonly naming: 'parameter' | 'metadata' | 'scope' | 'position';
  /** Initializers read by several weights (deduplicated biases and norms, tied embeddings): edited once, guarded per use. */
  readonly shared_tensors: readonly { readonly tensor: string; readonly uses: number }[];
  readonly warnings: readonly { readonly code: 'interface_inferred' | 'interface_incomplete'; readonly message: string }[];
}

/** The evaluation data and its window plan, with the hashes that identify it. */
export interface DatasetBlock {
  readonly provider: string;
  readonly split: string | null;
  readonly seq_len: number;
  readonly stride: number;
  readonly counts: {
    readonly documents: number | null;
    readonly candidates: number | null;
    readonly duplicates_removed: number | null;
    readonly preview: number;
    readonly final: number;
  };
  readonly preview_hash: string | null;
  readonly final_hash: string | null;
  readonly dataset_hash: string | null;
  readonly tokenizer_hash: string | null;
  readonly seed: number;
  /** How over-long texts were cut (example and pair runs); null for sliding windows, which never cut. */
  readonly truncation: TruncationBlock | null;
}

/**
 * The truncation rule of an example or pair run: each text field longer than its limit keeps its
 * first tokens and its framing (BOS/EOS, the source prefix), and how many candidates were cut.
 */
export interface TruncationBlock {
  readonly rule: 'keep_head';
  readonly fields: readonly { readonly field: 'text' | 'source' | 'target'; readonly max_tokens: number; readonly truncated: number }[];
}

/** `[low, high]`, both ends inclusive. */
export type Band = readonly [number, number];

/** Every threshold a gate or guard decides with (`tiers.schema.json#/$defs/thresholds`). */
export interface Thresholds {
  /** What the primary-metric gate decides with: the gates' own record (src/stats). */
  readonly primary_metric: GateThresholds['primary_metric'];
  readonly bootstrap: {
    readonly method: BootstrapMethod;
    readonly replicates: number;
    readonly min_replicates: number;
    readonly alpha: number;
  };
  readonly drift_band: Band;
  readonly catastrophe_ratio: number;
  readonly tail: { readonly p95_limit: number; readonly mass_threshold: number; readonly mode: 'warn' | 'fail' };
  readonly spectral: {
    readonly mode: GuardMode;
    readonly deadband: number;
    readonly max_caps: number;
    readonly kappa: PerFamily;
    readonly multiple_testing: { readonly method: 'bh' | 'bonferroni'; readonly alpha: number };
    readonly stable_rank_warn: number;
    readonly stable_rank_fatal: number;
    readonly norm_collapse_warn: number;
    readonly norm_collapse_fatal: number;
  };
  readonly rmt: { readonly mode: GuardMode; readonly epsilon: PerFamily };
  readonly guard_overhead: { readonly limit: number };
  readonly invariants: { readonly mode: 'on' | 'strict' };
  readonly variance: VarianceThresholds;
}

/** The VE predictive-gate and enable thresholds. */
export interface VarianceThresholds {
  /** The CI must clear this effect, nats. */
  readonly min_effect_lognll: number;
  readonly sidedness: 'one_sided' | 'two_sided';
  readonly min_rel_gain: number;
  /** Absolute perplexity gain needed to enable VE. */
  readonly min_abs_gain: number;
}

/** How the variance guard estimates and applies its scales (`tiers.schema.json#/$defs/varianceSettings`). */
export interface VarianceSettings {
  readonly scope: readonly ('ffn' | 'attn_out')[];
  readonly max_calib: number;
  /** Scale windows = min(max_calib / scale_windows_divisor, max_scale_windows). */
  readonly scale_windows_divisor: number;
  readonly max_scale_windows: number;
  /** K: A/B windows. */
  readonly ab_windows: number;
  readonly min_coverage: number;
  readonly seed: number;
  readonly clamp: Band;
  readonly deadband: number;
  readonly min_abs_adjust: number;
  readonly max_scale_step: number;
  readonly topk_backstop: number;
  /** 0 = no cap. */
  readonly max_adjusted_modules: number;
  readonly min_gain: number;
  readonly tie_breaker_deadband: number;
  readonly bootstrap_replicates: number;
  /** Quantile band the E[y²] samples are winsorised to. */
  readonly winsorize: Band;
  readonly winsorize_min_samples: number;
  readonly max_chunks: number;
}

/** How guards measure; thresholds decide on what they measure. */
export interface GuardSettings {
  readonly spectral: { readonly power_iterations: number };
  readonly rmt: { readonly calibration_windows: number; readonly power_iterations: number };
  readonly variance: VarianceSettings;
}

/**
 * The resolved policy of the run, exactly as src/core resolves it
 * (`tiers.schema.json#/$defs/policy`; core's `Policy` is this type). Its canonical JSON
 * is what `policy_digest` hashes.
 */
export interface PolicyBlock {
  readonly schema_version: 1;
  readonly tier: TierName;
  readonly profile: ProfileName;
  /** `dev`: not release evidence. */
  readonly evidence: 'dev' | 'release';
  readonly windows: { readonly preview_n: number; readonly final_n: number };
  readonly thresholds: Thresholds;
  readonly guards: GuardSettings;
  readonly statistics: { readonly z0_clip: number };
  readonly seed_offsets: { readonly window_draw: number; readonly mlm_mask: number; readonly bootstrap: number; readonly variance: number };
  /** The looks of a run that scored its final windows in groups and could stop early; null: the fixed-sample gate. */
  readonly sequential: SequentialPolicy | null;
  /** Dotted paths of the values overrides set, sorted. */
  readonly overridden: readonly string[];
}

/** Early stopping a run chose: K looks at the final windows, α spent by the named function. */
export interface SequentialPolicy {
  readonly looks: number;
  readonly spending: 'obrien_fleming';
}

/** One look of a sequential run at its final windows (plan order). */
export interface SequentialLook {
  /** 1-based. */
  readonly look: number;
  /** Final windows scored by the end of the look. */
  readonly windows: number;
  /** windows / planned windows. */
  readonly fraction: number;
  /** cₖ of the spending function. */
  readonly critical: number;
  /** One-sided α spent by the end of the look (cumulative). */
  readonly alpha_spent: number;
  /** exp(weighted mean Δ) of the windows so far. */
  readonly ratio: number;
  /** exp(θ̂ ± cₖ·se) at an interim look; the bootstrap ratio CI at the last. */
  readonly ratio_ci: Interval;
  readonly decision: 'pass' | 'fail' | 'continue';
}

/** Early stopping as it happened: the design, every look taken, where the run stopped. */
export interface SequentialRecord {
  readonly spending: 'obrien_fleming';
  /** One-sided α of the design (the bootstrap α / 2). */
  readonly alpha: number;
  /** limit + hysteresis: what the upper bound is compared with. */
  readonly bound: number;
  readonly planned: { readonly looks: number; readonly windows: number; readonly tokens: number };
  readonly looks: readonly SequentialLook[];
  /** The interim look that stopped the run; null when it ran to the last look (or scored no final window). */
  readonly stopped_at: number | null;
  readonly windows_saved: number;
}

/** The run seed and the per-purpose seeds derived from it (run seed + the policy's offset, mod 2^32). */
export interface Seeds {
  readonly run: number;
  readonly window_draw: number;
  readonly bootstrap: number;
  readonly mlm_mask: number;
  readonly variance: number;
}

/** Tool, runtime, device, image and seeds of the run. */
export interface Provenance {
  readonly tool: { readonly name: 'invarlock'; readonly version: string };
  readonly node_version: string;
  readonly onnxruntime_version: string | null;
  readonly execution_provider: ExecutionProvider;
  readonly device: {
    readonly kind: 'cpu' | 'gpu';
    readonly name: string | null;
    readonly driver: string | null;
    readonly memory_bytes: number | null;
  };
  readonly platform: { readonly os: string; readonly arch: string };
  /** Set in container mode: the runtime image and its digest (`sha256:…`). */
  readonly container: { readonly image: string; readonly digest: string } | null;
  readonly seeds: Seeds;
  readonly config_digest: string;
}

/** Wall time of one pipeline stage. */
export interface TimingStage {
  readonly name: string;
  readonly duration_ms: number;
}

/** Wall-clock facts: the only block outside the digest. */
export interface Timing {
  /** ISO 8601 date-time. */
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly stages: readonly TimingStage[];
  /** The memory planner's choice on this machine (outside the digest with the rest of timing); null where no plan was made (older certificates leave it out). */
  readonly resources: TimingResources | null;
}

/** `timing.resources`: the memory budget, the estimate and the settings chosen to fit it. */
export interface TimingResources {
  readonly budget_bytes: number;
  readonly budget_source: 'max_memory' | 'free_memory';
  readonly estimate_bytes: number;
  readonly batch_size: 'auto' | number;
  readonly workers: number;
  readonly chunk_bytes: number;
  readonly prepack: boolean;
}

/** The Evaluation Certificate, schema version 1. */
export interface Certificate {
  readonly schema_version: 1;
  readonly run_id: string;
  readonly verdict: Verdict;
  readonly validation: ValidationFlags;
  readonly primary_metric: PrimaryMetric;
  readonly windows: Windows;
  readonly pairing: Pairing;
  readonly tail: Tail;
  readonly guards: Guards;
  readonly guard_overhead: GuardOverhead;
  readonly sequential: SequentialRecord | null;
  readonly change: Change;
  readonly models: Pair<ModelIdentity>;
  readonly dataset: DatasetBlock;
  readonly policy: PolicyBlock;
  /** sha256 of the canonical JSON of `policy`. */
  readonly policy_digest: string;
  readonly provenance: Provenance;
  readonly timing: Timing;
  /** sha256 of the canonical JSON of the certificate without `digest` and `timing`. */
  readonly digest: string;
}
