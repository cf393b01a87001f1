import type { LoadedModel } from '../../adapters/index.js';
import type { HeadKind, PlanHashes, PlannedWindowRef, Scorer, WindowLosses, WindowPlan } from '../../eval/index.js';
import { bytesPerToken, type CertificateInput, type MetricKind, type TruncationBlock } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import type { ArmProgress, ArmWindows } from './evaluate-arms.js';
import type { BaselineEvalKey } from './baseline-evaluation.js';
import type { seedsOf } from './provenance.js';

/*
 * The objective strategy of the certify runner. `certify` runs one pipeline (prepare → preview →
 * apply → guards → evaluate → report) for every kind of model; what differs between perplexity of a
 * causal LM, pseudo-perplexity of a masked LM and accuracy of a classifier is this record:
 *
 * - `Objective`: the metric kind the certificate reports, the head appended to the graph, which
 *   floors count the run's units, whether a preview blow-up skips the final arm, whether the
 *   variance guard applies, whether a saved baseline evaluation can be reused.
 * - `Evaluation` (what `prepare` returns): the run's data turned into paired units: the arms, the
 *   RMT calibration units, the certificate's dataset block, and `bind`, which makes a model ready to
 *   be scored on the arms (its tokenizer, its label mapping) and refuses one that cannot be paired.
 *
 * A new objective (seq2seq perplexity: `onnx_seq2seq`) plugs in by implementing `Objective` in its
 * own module and returning it from `objectiveFor` (select-objective.ts); nothing in the pipeline
 * changes.
 */

/** The objectives the runner scores. */
export type ObjectiveName = 'causal' | 'masked' | 'classification' | 'seq2seq' | 'nll_per_byte';

/** Which of the preview/final arms. */
export type ArmName = 'preview' | 'final';

/** One model's per-unit values on one arm, in arm order: what the paired statistics take. */
export interface ArmScores {
  readonly ids: readonly string[];
  /** Mean NLL per scored token (nats) for perplexity; 0/1 correctness for accuracy. */
  readonly values: Float64Array;
  /** Scored tokens per window for perplexity; 1 per example for accuracy; UTF-8 bytes per span for NLL per byte. */
  readonly weights: Float64Array;
  /** NLL per byte only: the tokens this model's tokenizer made of each span. */
  readonly tokens?: Uint32Array;
}

/** A unit the RMT guard measures activations on (both models, the same ids). */
export interface CalibrationUnit {
  readonly id: string;
  readonly ids: Uint32Array;
}

/** A text both tokenizers must encode to the same ids, and where it sits in the dataset. */
export interface TokenizationProbe {
  readonly text: string;
  /** For messages: `document 3`, `example ex-0012`. */
  readonly where: string;
  /** `details.field` of a mismatch: `dataset.documents[3]`. */
  readonly field: string;
}

/** How a model is scored on the run's arms, bound to that model (its tokenizer, its classes). */
export interface BoundScoring {
  score(scorer: Scorer, arm: ArmName, progress: ArmProgress): Promise<ArmScores>;
  /** This model's own tokenization of the calibration units, where models tokenize for themselves (NLL per byte); else the evaluation's. */
  readonly calibration?: readonly CalibrationUnit[];
  /**
   * Scores units [start, end) of the final arm, in plan order (the looks of a sequential run);
   * absent for objectives whose units cannot be scored in groups.
   */
  scoreFinalRange?(scorer: Scorer, start: number, end: number, progress: ArmProgress): Promise<ArmScores>;
}

/** Whether the variance guard can run: it scales against a per-window loss A/B on the preview arm. */
export type VarianceSupport =
  | { readonly kind: 'applies'; readonly preview: ArmWindows }
  | { readonly kind: 'not_applicable'; readonly code: 'not_applicable_accuracy' | 'not_applicable_seq2seq' | 'not_applicable_nll_per_byte'; readonly reason: string };

/** The run's data prepared for one objective (with the baseline's tokenizer). */
export interface Evaluation {
  /** The certificate's dataset block, less the provider and the seed (the config's). */
  readonly dataset: Omit<CertificateInput['dataset'], 'provider' | 'seed'>;
  /** The planned units of each arm this job scores (a shard job: the whole preview arm, its share of the final arm), for the pairing check. */
  readonly planned: { readonly preview: readonly PlannedWindowRef[]; readonly final: readonly PlannedWindowRef[] };
  /** Exact duplicates the plan dropped (the pairing record's `duplicates`). */
  readonly duplicatesRemoved: number;
  readonly calibration: readonly CalibrationUnit[];
  /** Texts a compared subject's tokenizer must encode like the baseline's. */
  readonly tokenizationProbes: readonly TokenizationProbe[];
  /** The window plan of a perplexity run (shard partials, the baseline-reuse key); null for examples. */
  readonly windowPlan: WindowPlan | null;
  /** The fields of a saved baseline evaluation's key that the data decides; null: never reused. */
  readonly reuseKey: Pick<BaselineEvalKey, 'datasetHash' | 'tokenizerHash' | 'objective' | 'seqLen' | 'stride' | 'maskSeed'> | null;
  readonly variance: VarianceSupport;
  /**
   * Scoring bound to `model`: the baseline, or a subject. Throws an `InvarlockError` when the model
   * cannot be scored against the baseline (a classifier over other labels).
   */
  bind(model: LoadedModel): BoundScoring;
}

/** What an objective's `prepare` gets: the resolved run, and where relative paths resolve. */
export interface PrepareContext {
  readonly config: RunConfig;
  readonly policy: Policy;
  readonly seeds: ReturnType<typeof seedsOf>;
  readonly baseline: LoadedModel;
  readonly cwd: string;
  /** Warnings about the data (e.g. seq2seq pairs cut to fit). */
  readonly onEvent?: RunEventListener;
  readonly hubUrl?: string;
  readonly accessToken?: string;
}

/** One objective: see the module comment. */
export interface Objective {
  readonly name: ObjectiveName;
  readonly metricKind: MetricKind;
  readonly head: HeadKind;
  /** What the progress messages call the units. */
  readonly unit: 'windows' | 'examples';
  /** `accuracy`: the tier's minimum of examples counts as a floor too. */
  readonly floors: 'windows' | 'accuracy';
  /** Whether a preview ratio above the catastrophe limit (or a non-finite value) skips the final arm. */
  readonly catastrophe: boolean;
  prepare(ctx: PrepareContext): Promise<Evaluation>;
}

/**
 * Refuses a sharded run for an objective that scores its units in one job (shards split perplexity
 * windows): `E_CONFIG_INVALID` on `shard`, saying what the run does (`an accuracy run evaluates its
 * examples`) and how to fix it.
 */
export function refuseShards(config: RunConfig, what: string, hint: string): void {
  if (config.shard === null) return;
  throw new InvarlockError('E_CONFIG_INVALID', `sharded evaluation splits perplexity windows; ${what} in one job`, { details: { field: 'shard' }, hint });
}

/** Weighted mean of an arm's values (the log of its perplexity, or its accuracy). */
export function weightedMean(scores: ArmScores): number {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < scores.values.length; i++) {
    sum += scores.values[i]! * scores.weights[i]!;
    weight += scores.weights[i]!;
  }
  return weight === 0 ? Number.NaN : sum / weight;
}

/**
 * The paired ratio of an arm as the catastrophe check reads it: exp of the weighted mean Δ, the
 * per-byte Δ scaled by the baseline's bytes per token for NLL per byte (as the report's gates).
 */
export function pairedRatio(baseline: ArmScores, subject: ArmScores): number {
  const scale = baseline.tokens === undefined ? 1 : bytesPerToken(baseline.weights, baseline.tokens);
  return Math.exp(scale * (weightedMean(subject) - weightedMean(baseline)));
}

/** A window scorer's losses as arm scores (the same arrays). */
export function scoresOfLosses(losses: WindowLosses): ArmScores {
  return { ids: losses.ids, values: losses.loss, weights: losses.weight };
}

/** Arm scores as window losses, for the variance stage and saved baseline evaluations. */
export function lossesOfScores(scores: ArmScores): WindowLosses {
  return { ids: scores.ids, loss: scores.values, weight: scores.weights };
}

/** What a window or example plan tells the certificate's dataset block. */
export interface PlanFacts {
  readonly split: string | null;
  readonly seqLen: number;
  readonly stride: number;
  /** Documents read (windows), or examples read. */
  readonly sources: number;
  readonly counts: { readonly candidates: number; readonly duplicatesRemoved: number; readonly preview: number; readonly final: number };
  readonly hashes: PlanHashes;
  /** How texts were cut to fit (example and pair plans); null for sliding windows. */
  readonly truncation: TruncationBlock | null;
}

/** The certificate's dataset block (less provider and seed) of a plan. */
export function datasetRecordOf(plan: PlanFacts): Evaluation['dataset'] {
  return {
    split: plan.split,
    seq_len: plan.seqLen,
    stride: plan.stride,
    counts: {
      documents: plan.sources,
      candidates: plan.counts.candidates,
      duplicates_removed: plan.counts.duplicatesRemoved,
      preview: plan.counts.preview,
      final: plan.counts.final,
    },
    preview_hash: plan.hashes.preview,
    final_hash: plan.hashes.final,
    dataset_hash: plan.hashes.dataset,
    tokenizer_hash: plan.hashes.tokenizer,
    truncation: plan.truncation,
  };
}

/** Arm scores of consecutive groups, joined in order. */
export function concatScores(parts: readonly ArmScores[]): ArmScores {
  const join = (pick: (s: ArmScores) => Float64Array) => {
    const out = new Float64Array(parts.reduce((n, p) => n + pick(p).length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(pick(p), at);
      at += pick(p).length;
    }
    return out;
  };
  return { ids: parts.flatMap((p) => p.ids), values: join((p) => p.values), weights: join((p) => p.weights) };
}

/** The first `n` units of an arm's scores. */
export function prefixScores(scores: ArmScores, n: number): ArmScores {
  return { ids: scores.ids.slice(0, n), values: scores.values.slice(0, n), weights: scores.weights.slice(0, n) };
}
