import { quantizedBits, type LoadedModel } from '../../adapters/index.js';
import type { WeightMatrix } from '../../edits/index.js';
import {
  evaluateInvariants,
  evaluateRmt,
  evaluateSpectral,
  evaluateVariance,
  heldWeightStream,
  measureWeightStream,
  type KernelPool,
  type MatrixStats,
  type MatrixStatsOptions,
  type RmtModuleMeasurement,
  type WeightMeasurements,
} from '../../guards/index.js';
import type { GuardOverheadInput, Guards } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { Policy } from '../policy/index.js';
import { invariantsBlock, notRunBlock, rmtBlock, spectralBlock, varianceBlock } from './guard-blocks.js';
import { invariantsPolicyOf, rmtPolicyOf, spectralPolicyOf } from './guard-policies.js';

/** One model's side of the guards: its weights (or what was measured of them), tokenizer hash and activations. */
export interface GuardSide<W> {
  readonly weights: W | null;
  readonly tokenizerHash: string;
  readonly rmt: readonly RmtModuleMeasurement[] | null;
  readonly model: LoadedModel;
}

/** Inputs of {@link runGuards}. */
export interface RunGuardsInput {
  readonly config: RunConfig;
  readonly policy: Policy;
  readonly pool: KernelPool;
  /** The baseline as measured with the baseline evaluation (streamed from its file, or saved). */
  readonly baseline: GuardSide<WeightMeasurements>;
  /** The subject's weights in memory (dequantized). */
  readonly subject: GuardSide<readonly WeightMatrix[]>;
  /**
   * Keys of subject weights an edit left as they were (absent from its `changed`): they hold the
   * baseline's values, so the baseline's statistics are theirs and they are not measured again.
   */
  readonly unchanged?: ReadonlySet<string>;
  /** `edit`: a built-in edit changed the weights; `monitor`: a given subject (compare mode). */
  readonly mode: 'edit' | 'monitor';
  /** The variance guard's block and overhead when it ran (edit mode), else monitor-only. */
  readonly variance?: { readonly blocks: Guards['variance']; readonly overhead: GuardOverheadInput };
}

/** Guard blocks for the certificate and the guard-overhead measurement. */
export interface GuardOutcomes {
  readonly blocks: Guards;
  readonly overhead: GuardOverheadInput;
}

const MP_TOP_K = 8;
const MP_ITERS = 6;

/**
 * Options of the weight statistics the spectral and RMT guards read (the same for both models);
 * null when neither guard runs.
 */
export function weightStatsOptionsOf(config: RunConfig, policy: Policy): MatrixStatsOptions | null {
  if (config.guards.spectral === 'off' && config.guards.rmt === 'off') return null;
  return { powerIters: policy.guards.spectral.power_iterations, mpTopK: MP_TOP_K, mpIters: MP_ITERS };
}

/** Whether the guards read weights at all: compare mode with neither spectral nor invariants reads none. */
export function guardsReadWeights(config: RunConfig): boolean {
  return !(config.guards.spectral === 'off' && config.guards.invariants === 'off' && config.mode.kind === 'compare');
}

/**
 * Runs the weight and activation guards (ALGORITHMS.md §5) in compare-by-position mode: every
 * subject weight against the baseline weight at the same graph position. Weight statistics are
 * computed once per matrix in the kernel pool. A guard switched off in the config reports
 * `evaluated: false` with reason `disabled`.
 */
export async function runGuards(input: RunGuardsInput): Promise<GuardOutcomes> {
  const { config, policy, pool, baseline, subject } = input;
  const layers = new Map<string, number | null>((baseline.weights?.summaries ?? []).map((w) => [w.key, w.layer]));
  const invariants =
    config.guards.invariants === 'off' || baseline.weights === null || subject.weights === null
      ? notRunBlock<never>('disabled')
      : invariantsBlock(
          evaluateInvariants(
            {
              baseline: { weights: baseline.weights.summaries, tokenizerHash: baseline.tokenizerHash },
              // A quantized subject's tie may be stored as two copies quantized apart (see the invariants guard).
              subject: { weights: subject.weights, tokenizerHash: subject.tokenizerHash, quantizedBits: quantizedBits(subject.model) },
              // NLL per byte certifies a subject with its own tokenizer: a different vocabulary is expected
              ...(config.metric === 'nll_per_byte' ? { vocabulary: 'own' as const } : {}),
            },
            invariantsPolicyOf(policy, config.guards.invariants),
          ),
        );
  let weightStats: { baseline: WeightMeasurements['stats']; subject: WeightMeasurements['stats'] } | null = null;
  const stats = weightStatsOptionsOf(config, policy);
  if (stats !== null && baseline.weights !== null && subject.weights !== null) {
    const unchanged = input.unchanged ?? new Set<string>();
    const known = new Map<string, MatrixStats>(baseline.weights.stats.filter((w) => unchanged.has(w.key)).map((w) => [w.key, w.stats]));
    const measured = await measureWeightStream(heldWeightStream(subject.weights), { pool, stats, known });
    weightStats = { baseline: baseline.weights.stats, subject: measured.stats };
  }
  const spectral =
    config.guards.spectral === 'off' || weightStats === null
      ? notRunBlock<never>('disabled')
      : spectralBlock(evaluateSpectral(weightStats, spectralPolicyOf(policy)), layers);
  const rmt =
    config.guards.rmt === 'off'
      ? notRunBlock<never>('disabled')
      : baseline.rmt === null || subject.rmt === null
        ? notRunBlock<never>('catastrophic_preview_skipped_activations')
        : rmtBlock(evaluateRmt({ baseline: baseline.rmt, subject: subject.rmt, ...(weightStats === null ? {} : { weights: weightStats }) }, rmtPolicyOf(policy)));
  const variance =
    input.variance?.blocks ??
    (config.guards.variance === 'off'
      ? notRunBlock<never>('disabled')
      : varianceBlock(evaluateVariance({ mode: 'monitor', proposal: { taps: [], scales: new Map() } }), new Map()));
  return {
    blocks: { invariants, spectral, rmt, variance },
    overhead: input.variance?.overhead ?? { evaluated: false, reason: input.mode === 'monitor' ? 'compare mode: no guard adjustments' : 'variance guard made no change' },
  };
}
