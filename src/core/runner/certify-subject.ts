import type { LoadedModel } from '../../adapters/index.js';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import { createScorer, type ExecutionProviderName, type Scorer, type ScoringModel } from '../../eval/index.js';
import type { RmtModuleMeasurement } from '../../guards/index.js';
import type { CertificateInput, ChangeInput } from '../../report/index.js';
import { activationTapsOf, type ActivationTap } from './activation-taps.js';
import { buildSubject, type BuiltSubject } from './build-subject.js';
import { certificateInput } from './certificate-input.js';
import { measureActivations, type ArmProgress } from './evaluate-arms.js';
import { notRunBlock } from './guard-blocks.js';
import { lossesOfScores, pairedRatio, scoresOfLosses, type ArmScores } from './objective.js';
import { openModel, requireTokenizer, type OpenModelOptions } from './open-model.js';
import { runGuards, type GuardSide, type RunGuardsInput } from './run-guards.js';
import type { BaselineRun, RunContext } from './run-context.js';
import { describeSpec, type SubjectSpec } from './run-records.js';
import { runVarianceStage } from './variance-stage.js';
import { checkSequentialRun, scoreFinalArm } from './sequential-final.js';

/** A session on `model` with the objective's head and the RMT taps exposed. */
export function openScorer(ctx: RunContext, model: ScoringModel, taps: readonly ActivationTap[]): Promise<Scorer> {
  return createScorer(model, {
    device: ctx.config.device,
    threads: ctx.config.threads,
    head: ctx.objective.head,
    taps: taps.filter((t) => t.graph === 'main').map((t) => t.value),
    encoderTaps: taps.filter((t) => t.graph === 'encoder').map((t) => t.value),
    onFallback: (message) => ctx.onEvent({ type: 'warning', id: 'cuda_fallback', message }),
    prepack: ctx.memory.prepack,
    chunkBytes: ctx.memory.chunkBytes,
  });
}

/** Progress context of a scoring pass. */
export function progressOf(ctx: RunContext, stage: ArmProgress['stage'], subject: string | null, arm: ArmProgress['arm']): ArmProgress {
  return { stage, subject, model: subject === null ? 'baseline' : 'subject', arm, onEvent: ctx.onEvent, batchSize: ctx.memory.batchSize, signal: ctx.options.signal };
}

/** How the runner opens a model reference (the baseline, a compared subject). */
export function openOptionsOf(ctx: Pick<RunContext, 'config' | 'options'>): OpenModelOptions {
  const { config, options } = ctx;
  return {
    cwd: options.cwd,
    adapter: config.adapter,
    allowNetwork: config.allowNetwork,
    cacheDir: config.cacheDir,
    modelInterface: config.modelInterface,
    ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
  };
}

/**
 * Certifies one subject against the evaluated baseline (ARCHITECTURE.md): apply (build the subject)
 * → preview (score the preview arm) → guards (invariants, spectral, RMT on the calibration units,
 * the variance guard where the objective allows it) → evaluate (score the final arm, unless the
 * preview arm was catastrophic) → the certificate input.
 *
 * A failure after the subject was built gives a certificate input with outcome `error` (and a
 * `subject_error` warning event); failures before that throw: `E_TOKENIZER_MISMATCH`, the
 * objective's binding errors, edit and model-loading errors.
 */
export async function certifySubject(ctx: RunContext, baseline: BaselineRun, subject: { readonly label: string; readonly spec: SubjectSpec }): Promise<CertificateInput> {
  const { config, policy, timer, onEvent, objective, evaluation } = ctx;
  const label = subject.label;
  const unit = objective.unit;
  const partial: { built?: BuiltSubject; preview?: ArmScores; final?: ArmScores; provider?: ExecutionProviderName } = {};
  let scorer: Scorer | null = null;
  const sessions: { guarded: Scorer | null } = { guarded: null };
  try {
    const source = { baseline: baseline.opened, readsWeights: baseline.weights !== null, evaluation, cwd: ctx.options.cwd, open: (reference: string) => openModel(reference, openOptionsOf(ctx)) };
    const built = await timer.run('apply', label, describeSpec(subject.spec), () => buildSubject(source, subject.spec));
    partial.built = built;
    checkSequentialRun(ctx, baseline, built.scoring);
    const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(built.loaded);
    // RMT taps a projection's output after its bias; VE scales the bare MatMul output: the subject
    // session exposes both, so VE captures from it instead of opening another session.
    const runsVe = built.edit !== null && config.guards.variance !== 'off' && evaluation.variance.kind === 'applies';
    const rmtValues = new Set(taps.map((t) => t.value));
    const veExtra = runsVe && taps.length > 0 ? activationTapsOf(built.loaded, { throughBias: false }).filter((t) => !rmtValues.has(t.value)) : [];
    const activeScorer = await openScorer(ctx, built.scoringModel, [...taps, ...veExtra]);
    scorer = activeScorer;
    partial.provider = activeScorer.provider;
    const progress = (stage: 'preview' | 'evaluate' | 'guards', arm: ArmProgress['arm']) => progressOf(ctx, stage, label, arm);
    partial.preview = await timer.run('preview', label, `subject: preview ${unit}`, () => built.scoring.score(activeScorer, 'preview', progress('preview', 'preview')));
    const previewRatio = pairedRatio(baseline.scores.preview, partial.preview);
    // NaN/Inf losses (a broken weight, an overflow): no final arm; the guards say why, or the run is an error
    const previewFinite = partial.preview.values.every(Number.isFinite);
    const catastrophic = objective.catastrophe && (!previewFinite || !(previewRatio <= policy.thresholds.catastrophe_ratio));
    const variance = evaluation.variance;
    const guardsLabel = variance.kind === 'applies' ? 'invariants, spectral, RMT, variance' : 'invariants, spectral, RMT';
    const guards = await timer.run('guards', label, guardsLabel, async () => {
      const subjectRmt =
        taps.length === 0 || catastrophic
          ? null
          : await measureActivations(activeScorer, built.scoring.calibration ?? evaluation.calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progress('guards', 'calibration') });
      const side = <W>(weights: W | null, tokenizerHash: string, rmt: readonly RmtModuleMeasurement[] | null, model: LoadedModel): GuardSide<W> => ({
        weights,
        tokenizerHash,
        rmt,
        model,
      });
      let varianceBlocks: RunGuardsInput['variance'] | null = null;
      if (variance.kind === 'not_applicable') {
        // a built-in edit records why the variance guard did not run; compare mode monitors
        if (built.edit !== null) {
          varianceBlocks = { blocks: notRunBlock(config.guards.variance === 'off' ? 'disabled' : variance.code), overhead: { evaluated: false, reason: variance.reason } };
        }
      } else if (built.edit !== null && config.guards.variance !== 'off' && !catastrophic && built.weights !== null) {
        // VE runs for built-in edits only (ALGORITHMS.md §5)
        const ve = await runVarianceStage({
          policy,
          seed: ctx.seeds.variance,
          model: built.loaded,
          weights: built.weights,
          edited: built.edit.changed,
          subject: built.scoringModel,
          // the subject session exposes VE's bare projection outputs beside the RMT taps (see above)
          ...(taps.length > 0 ? { captureScorer: activeScorer } : {}),
          preview: variance.preview,
          previewLosses: lossesOfScores(partial.preview!),
          session: { device: config.device, threads: config.threads, onFallback: (message) => onEvent({ type: 'warning', id: 'cuda_fallback', message }) },
          progress: { subject: label, onEvent, batchSize: ctx.memory.batchSize, signal: ctx.options.signal },
          guardedSession: 'keep',
        });
        sessions.guarded = ve.guardedScorer;
        if (ve.guardedPreview !== null) partial.preview = scoresOfLosses(ve.guardedPreview);
        varianceBlocks = { blocks: ve.blocks, overhead: ve.overhead };
      }
      return runGuards({
        config,
        policy,
        pool: ctx.pool,
        baseline: side(baseline.weights, requireTokenizer(baseline.opened.model).hash, baseline.rmt, baseline.opened.model),
        subject: side(built.weights, built.tokenizerHash, subjectRmt, built.loaded),
        mode: built.edit === null ? 'monitor' : 'edit',
        ...(built.edit === null || built.weights === null ? {} : { unchanged: new Set(built.weights.filter((w) => !built.edit!.changed.has(w.key)).map((w) => w.key)) }),
        ...(varianceBlocks === null ? {} : { variance: varianceBlocks }),
      });
    });
    if (!catastrophic) {
      // with VE enabled the final arm scores the guarded weights (the scales are part of the certified model)
      const finalScorer = sessions.guarded ?? activeScorer;
      partial.final = await timer.run('evaluate', label, `subject: final ${unit}`, () => scoreFinalArm(ctx, baseline, built.scoring, finalScorer, progress('evaluate', 'final')));
    } else if (previewFinite) {
      onEvent({ type: 'warning', id: 'catastrophic_ppl_spike', message: `preview ratio ${previewRatio.toFixed(3)} > ${policy.thresholds.catastrophe_ratio}: final arm skipped` });
    }
    if (!previewFinite) {
      const bad = partial.preview.ids.find((_, i) => !Number.isFinite(partial.preview!.values[i]!)) ?? '?';
      if (guards.blocks.invariants.status !== 'fail') {
        throw new InvarlockError('E_NONFINITE_LOSS', `window ${bad} has a non-finite subject loss, and no guard explains it`, { details: { window: bad } });
      }
      onEvent({ type: 'warning', id: 'nonfinite_loss', message: `window ${bad} has a non-finite subject loss; the invariants guard failed (see its violations)` });
      delete partial.preview;
    }
    const change: ChangeInput = built.change.kind === 'edit' ? { ...built.change, rolled_back: catastrophic } : built.change;
    return await certificateInput(ctx, baseline, {
      outcome: { status: 'completed' },
      built: { ...built, change },
      preview: partial.preview ?? null,
      final: partial.final ?? null,
      guards,
      provider: activeScorer.provider,
    });
  } catch (error) {
    if (!isInvarlockError(error) || partial.built === undefined) throw error;
    onEvent({ type: 'warning', id: 'subject_error', message: `${label}: ${error.code}: ${error.message}` });
    const finite = (s: ArmScores | undefined) => (s !== undefined && s.values.every(Number.isFinite) ? s : null);
    return certificateInput(ctx, baseline, {
      outcome: { status: 'error', code: error.code, message: error.message },
      built: partial.built,
      // JSON cannot carry NaN: an arm with a non-finite value is left out of an error certificate
      preview: finite(partial.preview),
      final: finite(partial.final),
      guards: null,
      provider: partial.provider ?? 'cpu',
    });
  } finally {
    await sessions.guarded?.release();
    await scorer?.release();
  }
}
