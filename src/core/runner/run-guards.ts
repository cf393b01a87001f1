import { quantizedBits, type LoadedModel } from '../../adapters/index.js';
import type { WeightMatrix } from '../../edits/index.js';
import {
  evaluateInvariants,
  evaluateRmt,
  evaluateSpectral,
  evaluateVariance,
  measureWeights,
  type KernelPool,
  type RmtModuleMeasurement,
} from '../../guards/index.js';
import type { GuardOverheadInput, Guards } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { Policy } from '../policy/index.js';
import { invariantsBlock, notRunBlock, rmtBlock, spectralBlock, varianceBlock } from './guard-blocks.js';
import { invariantsPolicyOf, rmtPolicyOf, spectralPolicyOf } from './guard-policies.js';

/** One model's side of the guards: its weights (dequantized), tokenizer hash and activations. */
export interface GuardSide {
  readonly weights: readonly WeightMatrix[] | null;
  readonly tokenizerHash: string;
  readonly rmt: readonly RmtModuleMeasurement[] | null;
  readonly model: LoadedModel;
}

/** Inputs of {@link runGuards}. */
export interface RunGuardsInput {
  readonly config: RunConfig;
  readonly policy: Policy;
  readonly pool: KernelPool;
  readonly baseline: GuardSide;
  readonly subject: GuardSide;
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
 * Runs the weight and activation guards (ALGORITHMS.md §5) in compare-by-position mode: every
 * subject weight against the baseline weight at the same graph position. Weight statistics are
 * computed once per matrix in the kernel pool. A guard switched off in the config reports
 * `evaluated: false` with reason `disabled`.
 */
export async function runGuards(input: RunGuardsInput): Promise<GuardOutcomes> {
  const { config, policy, pool, baseline, subject } = input;
  const layers = new Map<string, number | null>((baseline.weights ?? []).map((w) => [w.key, w.layer]));
  const invariants =
    config.guards.invariants === 'off' || baseline.weights === null || subject.weights === null
      ? notRunBlock<never>('disabled')
      : invariantsBlock(
          evaluateInvariants(
            {
              baseline: { weights: baseline.weights, tokenizerHash: baseline.tokenizerHash },
              // A quantized subject's tie may be stored as two copies quantized apart (see the invariants guard).
              subject: { weights: subject.weights, tokenizerHash: subject.tokenizerHash, quantizedBits: quantizedBits(subject.model) },
            },
            invariantsPolicyOf(policy, config.guards.invariants),
          ),
        );
  let weightStats: { baseline: Awaited<ReturnType<typeof measureWeights>>; subject: Awaited<ReturnType<typeof measureWeights>> } | null = null;
  if ((config.guards.spectral !== 'off' || config.guards.rmt !== 'off') && baseline.weights !== null && subject.weights !== null) {
    const stats = { powerIters: policy.guards.spectral.power_iterations, mpTopK: MP_TOP_K, mpIters: MP_ITERS };
    const matrices = (ws: readonly WeightMatrix[]) => ws.filter((w) => w.rows > 1 && w.cols > 1);
    weightStats = {
      baseline: await measureWeights(matrices(baseline.weights), { pool, stats }),
      subject: await measureWeights(matrices(subject.weights), { pool, stats }),
    };
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
