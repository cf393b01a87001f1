import { weightReplacements, type LoadedModel } from '../../adapters/index.js';
import type { WeightMatrix } from '../../edits/index.js';
import { InvarlockError } from '../../errors/index.js';
import { createScorer, type CaptureItem, type DeviceRequest, type Scorer, type ScoringModel, type WindowLosses } from '../../eval/index.js';
import { pairedBootstrap } from '../../stats/index.js';
import {
  applyVeScales,
  decideVeEnable,
  evaluateGuardOverhead,
  evaluateVariance,
  evaluateVePredictiveGate,
  proposeVeScales,
  veScopeRoles,
  type BootstrapCiFn,
  type GuardOverhead,
  type VariancePolicy,
  type VeEnableDecision,
  type VeGateOutcome,
  type VeProposal,
  type VeScope,
  type VeTapSamples,
} from '../../guards/index.js';
import type { GuardBlock, GuardOverheadInput, VarianceMeasurements } from '../../report/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import { activationTapsOf, type ActivationTap } from './activation-taps.js';
import { scoreArm, sliceArm, type ArmProgress, type ArmWindows } from './evaluate-arms.js';
import { scoresOfLosses, weightedMean } from './objective.js';
import { varianceBlock } from './guard-blocks.js';

/** Defaults of {@link VarianceStageInput}. */
export const VARIANCE_STAGE_DEFAULTS = Object.freeze({
  /** @default 'release' */
  guardedSession: 'release',
} as const);

/** A VE tap: the activation tap of a weight VE may scale, with the weight's role. */
export interface VeTap extends ActivationTap {
  readonly role: WeightMatrix['role'];
}

/** Inputs of {@link runVarianceStage}: one subject made by a built-in edit, after its preview arm. */
export interface VarianceStageInput {
  readonly policy: Policy;
  /** Seed of the VE bootstrap stream: the run's derived `seeds.variance` (ALGORITHMS.md §7), so it is in provenance. */
  readonly seed: number;
  /** The loaded model the subject was written from (the baseline; `writeWeights` copy mode). */
  readonly model: LoadedModel;
  /** The subject's weights after the edit, graph order, PyTorch orientation. */
  readonly weights: readonly WeightMatrix[];
  /** The edit's changed weights: `writeWeights(model, edited)` is the subject. */
  readonly edited: ReadonlyMap<string, Float32Array>;
  /** The subject as scored (bytes with the edit written in). */
  readonly subject: ScoringModel;
  /**
   * A session on the subject that exposes the VE taps (`veTapsOf(...).map(t => t.value)`) as outputs,
   * to reuse for the capture; when left out, one is opened on `subject` for the capture and released.
   */
  readonly captureScorer?: Scorer;
  /** The preview arm (windows in arm order) and the subject's losses on it, already scored. */
  readonly preview: ArmWindows;
  readonly previewLosses: WindowLosses;
  /** Session options for the sessions this stage opens. */
  readonly session: { readonly device: DeviceRequest; readonly threads: number; readonly onFallback?: (reason: string) => void };
  readonly progress: { readonly subject: string; readonly onEvent: RunEventListener; readonly batchSize: number | 'auto'; readonly signal: AbortSignal | undefined };
  /**
   * `keep`: when VE is enabled, return the open session on the guarded model as `guardedScorer`
   * (the caller releases it; it scores the final arm without a second session build). `release`:
   * close it here; the caller opens one on `guardedScoringModel`. @default 'release'
   */
  readonly guardedSession?: 'keep' | 'release';
}

/** What the variance stage produced. */
export interface VarianceStageResult {
  /** The certificate's variance block (pass `{ blocks, overhead }` to `runGuards` as `variance`). */
  readonly blocks: GuardBlock<VarianceMeasurements>;
  /** Guarded vs bare perplexity of the subject on the preview arm, or why it was not measured. */
  readonly overhead: GuardOverheadInput;
  /** The overhead ratio against `thresholds.guard_overhead.limit`; null when not measured. */
  readonly overheadCheck: GuardOverhead | null;
  /** The subject with the enabled scales written into its weights, for the final arm; null when VE is off. */
  readonly guardedScoringModel: ScoringModel | null;
  /** Open session on `guardedScoringModel` (`guardedSession: 'keep'` and enabled only); the caller releases it. */
  readonly guardedScorer: Scorer | null;
  /** The subject's weights with the scales applied (what the final arm scores); null when VE is off. */
  readonly guardedWeights: readonly WeightMatrix[] | null;
  /** The guarded model's losses on the whole preview arm; null when VE is off. */
  readonly guardedPreview: WindowLosses | null;
  /** The enabled scales, weight key → α; empty when VE is off. */
  readonly scales: ReadonlyMap<string, number>;
  readonly proposal: VeProposal;
  /** The A/B outcome; null when no scale was proposed (the A/B is not run then). */
  readonly gate: VeGateOutcome | null;
  readonly decision: VeEnableDecision | null;
}

/**
 * The guards layer's VE policy from the run policy (`guards.variance` settings, `thresholds.variance`,
 * the gate's bootstrap α). A scope naming `attn_out` covers the FFN down projections too (`ffn_attn_out`).
 */
export function variancePolicyOf(policy: Policy, seed: number): VariancePolicy {
  const s = policy.guards.variance;
  const t = policy.thresholds.variance;
  return {
    scope: veScopeOf(policy),
    maxCalib: s.max_calib,
    abWindows: s.ab_windows,
    minCoverage: s.min_coverage,
    seed,
    clamp: [s.clamp[0], s.clamp[1]],
    deadband: s.deadband,
    minAbsAdjust: s.min_abs_adjust,
    maxScaleStep: s.max_scale_step,
    topkBackstop: s.topk_backstop,
    maxAdjustedModules: s.max_adjusted_modules,
    minGain: s.min_gain,
    minRelGain: t.min_rel_gain,
    minAbsGain: t.min_abs_gain,
    tieBreakerDeadband: s.tie_breaker_deadband,
    minEffectLognll: t.min_effect_lognll,
    sidedness: t.sidedness,
    replicates: s.bootstrap_replicates,
    alpha: policy.thresholds.bootstrap.alpha,
  };
}

/** The guards' VE scope from the policy's scope list: naming `attn_out` adds the attention output projections. */
function veScopeOf(policy: Policy): VeScope {
  return policy.guards.variance.scope.includes('attn_out') ? 'ffn_attn_out' : 'ffn';
}

/** Scale windows: min(floor(max_calib / scale_windows_divisor), max_scale_windows) from the policy (20 balanced). */
export function veScaleWindowsOf(policy: Policy): number {
  const s = policy.guards.variance;
  return Math.min(Math.floor(s.max_calib / s.scale_windows_divisor), s.max_scale_windows);
}

/**
 * The A/B gate's bootstrap: the paired weighted bootstrap of src/eval with the policy's method and
 * z0 clip, as the guards' `BootstrapCiFn`. Δ with a non-finite value (a window the scaled model
 * could not score) gives the interval [NaN, NaN], which the gate reads as not below zero.
 */
export function veBootstrapCiOf(policy: Policy): BootstrapCiFn {
  const method = policy.thresholds.bootstrap.method === 'bca_weighted' ? 'bca' : 'percentile';
  return (deltas, weights, options) => {
    if (deltas.length === 0 || deltas.some((d) => !Number.isFinite(d))) return { low: Number.NaN, high: Number.NaN };
    const ci = pairedBootstrap({ values: deltas, weights, replicates: options.replicates, alpha: options.alpha, seed: options.seed, method, z0Clip: policy.statistics.z0_clip });
    return { low: ci.low, high: ci.high };
  };
}

/**
 * The taps VE reads for the policy's scope: the consumer output of each in-scope weight (MLP down
 * projection; with `attn_out` also the attention output projection), before the residual add.
 */
export function veTapsOf(model: LoadedModel, weights: readonly WeightMatrix[], policy: Policy): VeTap[] {
  const roles = veScopeRoles(veScopeOf(policy));
  const roleOf = new Map(weights.map((w) => [w.key, w.role]));
  return activationTapsOf(model, { throughBias: false }).flatMap((tap) => {
    const role = roleOf.get(tap.key);
    return role !== undefined && roles.includes(role) ? [{ ...tap, role }] : [];
  });
}

/**
 * The variance guard (VE) for a subject made by a built-in edit (ALGORITHMS.md §5, §8), run after
 * the subject's preview arm and before its final arm:
 *
 * 1. Scales: the first `veScaleWindowsOf(policy)` preview windows go through the subject; per tap and
 *    window E[y²] (mean of squares, float64) of the down-projection output; `proposeVeScales`.
 * 2. A/B on the first K = `ab_windows` preview windows: ℓ_A = the subject's preview losses, ℓ_B = the
 *    subject with the proposed α written into its weights (a second in-memory model, copy mode),
 *    Δ = ℓ_B − ℓ_A; the predictive gate with the paired bootstrap; `decideVeEnable`.
 * 3. Enabled: the guarded model scores the rest of the preview arm, so the guard overhead is
 *    PPL(guarded)/PPL(bare) over the same windows, the whole preview arm (the final arm is scored
 *    by the guarded model only, so preview is where both exist without a third pass).
 *
 * Nothing loaded is mutated: the subject's bytes and weights stay as given, so "disabling" VE is
 * using the subject as it is. Sessions this stage opens are released before it returns, except
 * the guarded one with `guardedSession: 'keep'`.
 * @throws InvarlockError `E_INTERNAL` when `previewLosses` is not in the preview arm's window order;
 *   the scorer's `E_RUNTIME_*` and `writeWeights`' errors.
 */
export async function runVarianceStage(input: VarianceStageInput): Promise<VarianceStageResult> {
  const { policy, previewLosses } = input;
  const vePolicy = variancePolicyOf(policy, input.seed);
  const windowIds = idsOf(input.preview);
  const at = windowIds.findIndex((id, i) => id !== previewLosses.ids[i]);
  if (previewLosses.ids.length !== windowIds.length || at >= 0) {
    const i = at >= 0 ? at : Math.min(windowIds.length, previewLosses.ids.length);
    throw new InvarlockError('E_INTERNAL', `VE needs the subject's preview losses in the preview arm's window order (they differ at position ${i})`, {
      details: { window: String(i), expected: windowIds[i] ?? '(none)', actual: previewLosses.ids[i] ?? '(none)' },
    });
  }
  const taps = veTapsOf(input.model, input.weights, policy);
  const modules = new Map(taps.map((t) => [t.key, t.module]));
  const samples = await captureTapEnergy(input, taps, Math.min(veScaleWindowsOf(policy), windowIds.length));
  const proposal = proposeVeScales(samples, vePolicy);
  const limit = policy.thresholds.guard_overhead.limit;
  const off = (gate: VeGateOutcome | null, decision: VeEnableDecision | null, reason: string): VarianceStageResult => {
    const result = evaluateVariance({ mode: 'edit', proposal, gate, decision });
    const block = varianceBlock(result, modules);
    const notEnabled = decision !== null && !decision.isEnabled ? `not_enabled: ${decision.reasons.join(', ')}` : null;
    return {
      blocks: { ...block, reason: block.reason ?? notEnabled },
      overhead: { evaluated: false, reason },
      overheadCheck: null,
      guardedScoringModel: null,
      guardedScorer: null,
      guardedWeights: null,
      guardedPreview: null,
      scales: new Map(),
      proposal,
      gate,
      decision,
    };
  };
  if (proposal.scales.size === 0) return off(null, null, 'variance guard proposed no scales');

  const applied = applyVeScales(input.weights, proposal.scales);
  const changed = new Map(input.edited);
  for (const matrix of applied.matrices) if (proposal.scales.has(matrix.key)) changed.set(matrix.key, matrix.data);
  const guardedModel: ScoringModel = { ...input.subject, source: `${input.subject.source} + VE`, replace: weightReplacements(input.model, changed).main };
  const guarded = await createScorer(guardedModel, { device: input.session.device, threads: input.session.threads, head: 'token-logprobs', ...onFallbackOf(input) });
  let keepOpen = false;
  try {
    const k = Math.min(vePolicy.abWindows, windowIds.length);
    const lossB = await scoreArm(guarded, sliceArm(input.preview, 0, k), armProgress(input, 'calibration'));
    const gate = evaluateVePredictiveGate(
      { lossA: Array.from(previewLosses.loss.subarray(0, k)), lossB: Array.from(lossB.loss), weights: Array.from(previewLosses.weight.subarray(0, k)) },
      vePolicy,
      veBootstrapCiOf(policy),
    );
    const decision = decideVeEnable({ scaleCount: proposal.scales.size, gate }, vePolicy);
    if (!decision.isEnabled) return off(gate, decision, `variance guard not enabled (${decision.reasons.join(', ')})`);

    const rest = k < windowIds.length ? await scoreArm(guarded, sliceArm(input.preview, k), armProgress(input, 'preview')) : null;
    const guardedPreview = rest === null ? lossB : concatLosses(lossB, rest);
    const bare = Math.exp(weightedMean(scoresOfLosses(previewLosses)));
    const guardedPpl = Math.exp(weightedMean(scoresOfLosses(guardedPreview)));
    const result = evaluateVariance({ mode: 'edit', proposal, gate, decision });
    keepOpen = (input.guardedSession ?? VARIANCE_STAGE_DEFAULTS.guardedSession) === 'keep';
    return {
      blocks: varianceBlock(result, modules),
      overhead: { evaluated: true, bare, guarded: guardedPpl },
      overheadCheck: evaluateGuardOverhead({ pplGuarded: guardedPpl, pplBare: bare }, { maxRatio: limit }),
      guardedScoringModel: guardedModel,
      guardedScorer: keepOpen ? guarded : null,
      guardedWeights: applied.matrices,
      guardedPreview,
      scales: proposal.scales,
      proposal,
      gate,
      decision,
    };
  } finally {
    if (!keepOpen) await guarded.release();
  }
}

function onFallbackOf(input: VarianceStageInput): { onFallback?: (reason: string) => void } {
  return input.session.onFallback === undefined ? {} : { onFallback: input.session.onFallback };
}

function armProgress(input: VarianceStageInput, arm: 'preview' | 'calibration'): ArmProgress {
  return { stage: 'guards', subject: input.progress.subject, model: 'subject', arm, onEvent: input.progress.onEvent, batchSize: input.progress.batchSize, signal: input.progress.signal };
}

function idsOf(arm: ArmWindows): string[] {
  return arm.objective === 'causal' ? arm.windows.map((w) => w.id) : arm.windows.map((w) => w.id);
}

function concatLosses(a: WindowLosses, b: WindowLosses): WindowLosses {
  const loss = new Float64Array(a.loss.length + b.loss.length);
  loss.set(a.loss);
  loss.set(b.loss, a.loss.length);
  const weight = new Float64Array(a.weight.length + b.weight.length);
  weight.set(a.weight);
  weight.set(b.weight, a.weight.length);
  return { ids: [...a.ids, ...b.ids], loss, weight };
}

/**
 * E[y²] per tap and scale window. One window per capture call, reduced at once, so memory stays at
 * one window's activations whatever the model; the masked objective feeds the masked inputs.
 */
async function captureTapEnergy(input: VarianceStageInput, taps: readonly VeTap[], count: number): Promise<VeTapSamples[]> {
  const preview = input.preview;
  const sequences: CaptureItem[] =
    preview.objective === 'causal'
      ? preview.windows.slice(0, count).map((w) => ({ ids: w.ids }))
      : preview.objective === 'masked'
        ? preview.windows.slice(0, count).map((w) => ({ ids: w.inputIds }))
        : preview.windows.slice(0, count);
  const values = taps.map((t) => t.value);
  const energy = taps.map(() => new Array<number>());
  if (taps.length > 0 && sequences.length > 0) {
    const owned = input.captureScorer === undefined ? await createScorer(input.subject, { device: input.session.device, threads: input.session.threads, head: 'token-logprobs', taps: values, ...onFallbackOf(input) }) : null;
    const scorer = owned ?? input.captureScorer!;
    try {
      for (const [i, sequence] of sequences.entries()) {
        const captured = await scorer.captureActivations([sequence], values, { batchSize: 1, ...(input.progress.signal === undefined ? {} : { signal: input.progress.signal }) });
        taps.forEach((tap, t) => energy[t]!.push(meanSquare(captured.get(tap.value)?.[0]?.data)));
        input.progress.onEvent({ type: 'batch', stage: 'guards', subject: input.progress.subject, model: 'subject', arm: 'calibration', done: i + 1, total: sequences.length });
      }
    } finally {
      await owned?.release();
    }
  }
  return taps.map((tap, t) => ({ key: tap.key, module: tap.module, role: tap.role, samples: energy[t]! }));
}

/** Mean of squares in float64; NaN for a missing or empty activation. */
function meanSquare(data: Float32Array | undefined): number {
  if (data === undefined || data.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]! * data[i]!;
  return sum / data.length;
}
