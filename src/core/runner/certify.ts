import { resolve } from 'node:path';
import { readWeights, weightReplacements, type LoadedModel } from '../../adapters/index.js';
import { applyEdit, type EditPlan, type EditResult, type WeightMatrix } from '../../edits/index.js';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import {
  comparePlanPairing,
  createScorer,
  maskWindow,
  type MaskedWindow,
  type PairingReport,
  type Scorer,
  type WindowLosses,
} from '../../eval/index.js';
import { createKernelPool, selectCalibrationWindows, type KernelPool, type RmtModuleMeasurement } from '../../guards/index.js';
import { resolveModel } from '../../hub/index.js';
import { buildCertificate, type Certificate, type CertificateInput, type ChangeInput, type JsonValue, type ModelInput } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEvent, RunEventListener } from '../events/index.js';
import { coverageShortfall, resolvePolicy, type Policy } from '../policy/index.js';
import { activationTapsOf } from './activation-taps.js';
import {
  lossesOf,
  makeBaselineEvaluation,
  readBaselineEvaluation,
  reuseMismatch,
  type BaselineEvalKey,
  type BaselineEvaluation,
} from './baseline-evaluation.js';
import { resolveEditPlan } from './edit-plan.js';
import { measureActivations, scoreArm, weightedMeanLoss, type ArmProgress, type ArmWindows } from './evaluate-arms.js';
import { notRunBlock } from './guard-blocks.js';
import { openModel, type OpenedModel } from './open-model.js';
import { prepareWindows, type PreparedWindows } from './prepare-windows.js';
import { buildProvenance, seedsOf } from './provenance.js';
import { runGuards, type GuardSide } from './run-guards.js';
import { runVarianceStage } from './variance-stage.js';
import { StageTimer } from './stage-timer.js';
import { toWeightMatrix } from './weight-matrices.js';
import { configRecord, describeSpec, lastSegment, modelInputOf, scoringModelOf, type SubjectSpec } from './run-records.js';
import { makeShardPartial, shardWindows, type ShardPartial } from './shard-partial.js';
import { prepareClassificationBaseline, runClassificationSubject, type ClassificationContext } from './classification-run.js';

/** Options of {@link certify}: everything that is not the run's configuration. */
export interface CertifyOptions {
  /** Relative model, dataset and adapter paths are resolved against this directory. */
  readonly cwd: string;
  readonly onEvent?: RunEventListener;
  readonly signal?: AbortSignal;
  /** Milliseconds clock for stage durations (injected for tests). @default performance.now */
  readonly now?: () => number;
  /** Wall clock for the timing block. @default () => new Date() */
  readonly clock?: () => Date;
  /** The runtime image when running in a container (recorded in provenance). */
  readonly container?: { readonly image: string; readonly digest: string } | null;
  readonly hubUrl?: string;
  readonly accessToken?: string;
}

/** One certified subject. */
export interface SubjectCertificate {
  readonly label: string;
  readonly certificate: Certificate;
}

/** Everything a certify run produced. */
export interface CertifyRun {
  readonly subjects: readonly SubjectCertificate[];
  /** Shard jobs (config `shard`): one partial result per subject, merged later by `aggregateShards`; no certificates. */
  readonly partials: readonly ShardPartial[];
  /** The baseline's per-window losses with their reuse key, for `--baseline-eval` and the Action cache; null for accuracy runs. */
  readonly baselineEvaluation: BaselineEvaluation | null;
  readonly policy: Policy;
}

interface BaselineState {
  readonly opened: OpenedModel;
  readonly prepared: PreparedWindows;
  readonly objective: 'causal' | 'masked';
  readonly arms: { readonly preview: ArmWindows; readonly final: ArmWindows };
  readonly losses: { readonly preview: WindowLosses; readonly final: WindowLosses };
  readonly scorer: Scorer;
  readonly weights: readonly WeightMatrix[] | null;
  readonly calibration: readonly { readonly id: string; readonly ids: Uint32Array }[];
  readonly rmt: readonly RmtModuleMeasurement[] | null;
}

/**
 * Runs the certify pipeline (ARCHITECTURE.md): prepare → preview → apply → guards → evaluate →
 * report, for every subject of the configuration, the baseline evaluated once. Returns one
 * certificate per subject; a subject whose run fails after preparation gets a certificate with
 * verdict `error`. Failures before any subject can be certified (unreadable baseline, bad data,
 * coverage below enforced floors) throw an `InvarlockError`.
 */
export async function certify(config: RunConfig, options: CertifyOptions): Promise<CertifyRun> {
  const onEvent: RunEventListener = options.onEvent ?? (() => {});
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const timer = new StageTimer(onEvent, now);
  const policy = resolveRunPolicy(config, onEvent);
  const seeds = seedsOf(config.seed, policy);
  const pool = await createKernelPool({ mode: 'auto' });
  try {
    const opened = await timer.run('prepare', null, `baseline ${config.baseline}`, async () => {
      // a missing subject fails now, not after the baseline has been evaluated
      for (const s of config.mode.kind === 'compare' ? config.mode.subjects : []) {
        if (s.kind === 'model') await resolveModel(s.model, resolveOptions(config, options));
      }
      return openModel(config.baseline, openOptions(config, options));
    });
    const subjects: { label: string; spec: SubjectSpec }[] =
      config.mode.kind === 'edit'
        ? [{ label: config.mode.edit.name, spec: { kind: 'edit' as const, name: config.mode.edit.name, config: config.mode.edit.config } }]
        : config.mode.subjects.map((s) => ({ label: s.label, spec: s }));
    if (opened.model.adapter === 'onnx_cls') {
      // accuracy: examples instead of windows, counted against the accuracy floor too
      const clsPolicy = resolveRunPolicy(config, onEvent, 'accuracy');
      const ctx: ClassificationContext = {
        config,
        policy: clsPolicy,
        cwd: options.cwd,
        pool,
        timer,
        onEvent,
        startedAt,
        clock,
        open: (reference) => openModel(reference, openOptions(config, options)),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.container === undefined ? {} : { container: options.container }),
      };
      const cls = await timer.run('preview', null, 'baseline: preview and final examples', () => prepareClassificationBaseline(ctx, opened));
      const results: SubjectCertificate[] = [];
      for (const subject of subjects) {
        const input = await runClassificationSubject(ctx, cls, subject);
        results.push({ label: subject.label, certificate: await timer.run('report', subject.label, 'certificate', async () => buildCertificate(input)) });
      }
      return { subjects: results, partials: [], baselineEvaluation: null, policy: clsPolicy };
    }
    const baseline = await timer.run('prepare', null, 'windows', () => prepareBaseline(config, policy, options, opened));
    const evaluated = await timer.run('preview', null, 'baseline: preview and final windows', () => evaluateBaseline(config, policy, baseline, options, onEvent, pool));
    // every baseline number is in hand (losses, activations): free its session before the subjects load
    await evaluated.state.scorer.release();
    const results: SubjectCertificate[] = [];
    const partials: ShardPartial[] = [];
    for (const subject of subjects) {
      const input = await certifySubject({ config, policy, seeds, baseline: evaluated.state, subject, options, onEvent, timer, pool, startedAt, clock });
      if (config.shard === null) {
        results.push({ label: subject.label, certificate: await timer.run('report', subject.label, 'certificate', async () => buildCertificate(input)) });
      } else {
        partials.push(makeShardPartial(subject.label, config.shard, baseline.prepared.plan, input));
      }
    }
    return { subjects: results, partials, baselineEvaluation: evaluated.saved, policy };
  } finally {
    await pool.close();
  }
}

/** The policy of a run: the profile's counts raised to the tier's window floors unless the config set them. */
function resolveRunPolicy(config: RunConfig, onEvent: (e: RunEvent) => void, metric: 'ppl' | 'accuracy' = 'ppl'): Policy {
  const base = resolvePolicy({ tier: config.tier, profile: config.profile });
  const pm = base.thresholds.primary_metric;
  const explicit = { preview_n: config.dataset.previewN, final_n: config.dataset.finalN };
  const floorOf = (windowFloor: number) => (metric === 'accuracy' ? Math.max(windowFloor, pm.accuracy_min_examples) : windowFloor);
  const raised = {
    preview_n: explicit.preview_n ?? (pm.floors === 'enforced' ? Math.max(base.windows.preview_n, floorOf(pm.window_floor_preview)) : base.windows.preview_n),
    final_n: explicit.final_n ?? (pm.floors === 'enforced' ? Math.max(base.windows.final_n, floorOf(pm.window_floor_final)) : base.windows.final_n),
  };
  const boot = base.thresholds.bootstrap;
  // replicates are not a user setting: below an enforced floor they are raised, like the window counts
  const replicates = pm.floors === 'enforced' ? Math.max(boot.replicates, boot.min_replicates) : boot.replicates;
  const windowsRaised = raised.preview_n !== base.windows.preview_n || raised.final_n !== base.windows.final_n;
  if (windowsRaised && explicit.preview_n === null && explicit.final_n === null) {
    onEvent({
      type: 'warning',
      id: 'windows_raised_to_floor',
      message: `profile ${config.profile} plans ${base.windows.preview_n}/${base.windows.final_n} windows, below the ${config.tier} floors; using ${raised.preview_n}/${raised.final_n}`,
    });
  }
  if (replicates !== boot.replicates) {
    onEvent({ type: 'warning', id: 'replicates_raised_to_floor', message: `${boot.replicates} bootstrap replicates are below the ${config.tier} floor; using ${replicates}` });
  }
  const overrides = {
    ...(windowsRaised ? { windows: raised } : {}),
    ...(replicates !== boot.replicates ? { thresholds: { bootstrap: { replicates } } } : {}),
  };
  const policy = Object.keys(overrides).length > 0 ? resolvePolicy({ tier: config.tier, profile: config.profile, overrides }) : base;
  const coverage = coverageShortfall(policy);
  if (coverage.status === 'short' && coverage.enforcement === 'enforced') {
    const gaps = coverage.gaps.map((g) => `${g.floor}: ${g.actual} < ${g.required}`);
    throw new InvarlockError('E_COVERAGE', `the requested evaluation is below the ${config.tier} tier's floors (${gaps.join('; ')})`, {
      details: { field: 'dataset', problems: gaps },
      hint: 'Raise preview_n/final_n (or the bootstrap replicates), or use the dev profile for an informational run.',
    });
  }
  return policy;
}

async function prepareBaseline(config: RunConfig, policy: Policy, options: CertifyOptions, opened: OpenedModel): Promise<Omit<BaselineState, 'losses' | 'scorer' | 'rmt'>> {
  const objective = objectiveOf(opened.model);
  const tokenizer = opened.model.tokenizer!;
  const prepared = await prepareWindows(config, policy, tokenizer, objective, {
    cwd: options.cwd,
    ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
  });
  const maskSeed = seedsOf(config.seed, policy).mlm_mask;
  const toArm = (windows: PreparedWindows['plan']['preview']): ArmWindows => {
    if (objective === 'causal') return { objective, windows };
    if (tokenizer.specialTokens.mask === undefined) {
      throw new InvarlockError('E_TOKENIZER_INVALID', `${tokenizer.source} has no mask token; a masked LM needs one`, { details: { file: tokenizer.source } });
    }
    const maskId = tokenizer.specialTokens.mask;
    const masked: MaskedWindow[] = windows.map((w) => maskWindow(w, { seed: maskSeed, maskId, vocabSize: tokenizer.vocabSize, specialIds: tokenizer.specialIds }));
    return { objective, windows: masked };
  };
  const all = [...prepared.plan.preview, ...prepared.plan.final];
  const mine = (windows: PreparedWindows['plan']['preview']) => (config.shard === null ? windows : shardWindows(windows, config.shard));
  const calibration = selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!);
  const weights = config.guards.spectral === 'off' && config.guards.invariants === 'off' && config.mode.kind === 'compare' ? null : readWeights(opened.model).map(toWeightMatrix);
  return { opened, prepared, objective, arms: { preview: toArm(mine(prepared.plan.preview)), final: toArm(mine(prepared.plan.final)) }, weights, calibration };
}

function objectiveOf(model: LoadedModel): 'causal' | 'masked' {
  switch (model.adapter) {
    case 'onnx_causal':
      return 'causal';
    case 'onnx_mlm':
      return 'masked';
    case 'onnx_seq2seq':
    case 'onnx_cls':
      throw new InvarlockError('E_ADAPTER_UNKNOWN', `the certify runner scores causal and masked language models; ${model.adapter} models load and describe, but have no scoring objective yet`, {
        details: { file: model.graph.path, actual: model.adapter, expected: 'onnx_causal or onnx_mlm' },
      });
    default: {
      const never: never = model.adapter;
      return never;
    }
  }
}

function resolveOptions(config: RunConfig, options: CertifyOptions) {
  return {
    cwd: options.cwd,
    network: config.allowNetwork ? ('allow' as const) : ('deny' as const),
    ...(config.cacheDir === null ? {} : { cacheDir: config.cacheDir }),
    ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
  };
}

function openOptions(config: RunConfig, options: CertifyOptions) {
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

async function evaluateBaseline(
  config: RunConfig,
  policy: Policy,
  base: Omit<BaselineState, 'losses' | 'scorer' | 'rmt'>,
  options: CertifyOptions,
  onEvent: RunEventListener,
  pool: KernelPool,
): Promise<{ state: BaselineState; saved: BaselineEvaluation }> {
  const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(base.opened.model);
  const scorer = await createScorer(scoringModelOf(base.opened.model, base.opened.reference, null), {
    device: config.device,
    threads: config.threads,
    head: 'token-logprobs',
    taps: taps.map((t) => t.value),
    onFallback: (message) => onEvent({ type: 'warning', id: 'cuda_fallback', message }),
  });
  const identity = await buildProvenance({ provider: scorer.provider, seeds: seedsOf(config.seed, policy), container: null });
  const key: BaselineEvalKey = {
    baselineSha256: base.opened.fileSha256,
    datasetHash: base.prepared.plan.hashes.dataset,
    tokenizerHash: base.prepared.plan.hashes.tokenizer,
    objective: base.objective,
    seqLen: base.prepared.plan.seqLen,
    stride: base.prepared.plan.stride,
    maskSeed: base.objective === 'masked' ? seedsOf(config.seed, policy).mlm_mask : null,
    onnxruntime: identity.onnxruntime_version ?? 'unknown',
    provider: scorer.provider,
    platform: `${identity.platform.os}-${identity.platform.arch}`,
  };
  let losses: { preview: WindowLosses; final: WindowLosses } | null = null;
  if (config.baselineEval !== null) {
    const saved = await readBaselineEvaluation(resolve(options.cwd, config.baselineEval));
    const mismatch = saved === undefined ? 'no saved evaluation at that path' : reuseMismatch(saved, key);
    if (saved !== undefined && mismatch === null) {
      losses = { preview: lossesOf(saved.preview), final: lossesOf(saved.final) };
      onEvent({ type: 'info', message: `reusing the baseline evaluation ${config.baselineEval}` });
    } else {
      onEvent({ type: 'warning', id: 'baseline_eval_recomputed', message: `baseline evaluation not reused: ${mismatch}` });
    }
  }
  const progress = (arm: 'preview' | 'final'): ArmProgress => ({
    stage: 'preview',
    subject: null,
    model: 'baseline',
    arm,
    onEvent,
    batchSize: config.batchSize,
    signal: options.signal,
  });
  losses ??= { preview: await scoreArm(scorer, base.arms.preview, progress('preview')), final: await scoreArm(scorer, base.arms.final, progress('final')) };
  const rmt =
    taps.length === 0
      ? null
      : await measureActivations(scorer, base.calibration, taps, { pool, iters: policy.guards.rmt.power_iterations, progress: { ...progress('preview'), arm: 'calibration' } });
  return { state: { ...base, losses, scorer, rmt }, saved: makeBaselineEvaluation(key, losses.preview, losses.final) };
}



interface SubjectContext {
  readonly config: RunConfig;
  readonly policy: Policy;
  readonly seeds: ReturnType<typeof seedsOf>;
  readonly baseline: BaselineState;
  readonly subject: { readonly label: string; readonly spec: SubjectSpec };
  readonly options: CertifyOptions;
  readonly onEvent: RunEventListener;
  readonly timer: StageTimer;
  readonly pool: KernelPool;
  readonly startedAt: Date;
  readonly clock: () => Date;
}

interface BuiltSubject {
  readonly identity: ModelInput;
  readonly change: ChangeInput;
  readonly scoringModel: ReturnType<typeof scoringModelOf>;
  readonly loaded: LoadedModel;
  readonly weights: readonly WeightMatrix[] | null;
  readonly tokenizerHash: string;
  readonly edit: EditResult | null;
}

async function certifySubject(ctx: SubjectContext): Promise<CertificateInput> {
  const { config, policy, baseline, subject, timer, onEvent } = ctx;
  const label = subject.label;
  const partial: { built?: BuiltSubject; preview?: WindowLosses; final?: WindowLosses; provider?: 'cpu' | 'cuda' } = {};
  let scorer: Scorer | null = null;
  const sessions: { guarded: Scorer | null } = { guarded: null };
  try {
    const built = await timer.run('apply', label, describeSpec(subject.spec), () => buildSubject(ctx));
    partial.built = built;
    const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(built.loaded === baseline.opened.model ? baseline.opened.model : built.loaded);
    scorer = await createScorer(built.scoringModel, {
      device: config.device,
      threads: config.threads,
      head: 'token-logprobs',
      taps: taps.map((t) => t.value),
      onFallback: (message) => onEvent({ type: 'warning', id: 'cuda_fallback', message }),
    });
    partial.provider = scorer.provider;
    const progress = (stage: 'preview' | 'evaluate' | 'guards', arm: 'preview' | 'final' | 'calibration'): ArmProgress => ({
      stage,
      subject: label,
      model: 'subject',
      arm,
      onEvent,
      batchSize: config.batchSize,
      signal: ctx.options.signal,
    });
    const activeScorer = scorer;
    partial.preview = await timer.run('preview', label, 'subject: preview windows', () => scoreArm(activeScorer, baseline.arms.preview, progress('preview', 'preview')));
    const previewRatio = Math.exp(weightedMeanLoss(partial.preview) - weightedMeanLoss(baseline.losses.preview));
    // NaN/Inf losses (a broken weight, an overflow): no final arm; the guards say why, or the run is an error
    const previewFinite = partial.preview.loss.every(Number.isFinite);
    const catastrophic = !previewFinite || (config.shard === null && !(previewRatio <= policy.thresholds.catastrophe_ratio));
    const guards = await timer.run('guards', label, 'invariants, spectral, RMT, variance', async () => {
      const subjectRmt =
        taps.length === 0 || catastrophic
          ? null
          : await measureActivations(activeScorer, baseline.calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progress('guards', 'calibration') });
      const side = (weights: readonly WeightMatrix[] | null, tokenizerHash: string, rmt: readonly RmtModuleMeasurement[] | null, model: LoadedModel): GuardSide => ({
        weights,
        tokenizerHash,
        rmt,
        model,
      });
      // VE runs for built-in edits only (ALGORITHMS.md §5); compare mode monitors
      const ve =
        built.edit !== null && config.guards.variance !== 'off' && !catastrophic && built.weights !== null
          ? await runVarianceStage({
              policy,
              seed: ctx.seeds.variance,
              model: built.loaded,
              weights: built.weights,
              edited: built.edit.changed,
              subject: built.scoringModel,
              // the RMT taps include every down/o projection, so the subject session can capture VE's too
              ...(taps.length > 0 ? { captureScorer: activeScorer } : {}),
              preview: baseline.arms.preview,
              previewLosses: partial.preview!,
              session: { device: config.device, threads: config.threads, onFallback: (message) => onEvent({ type: 'warning', id: 'cuda_fallback', message }) },
              progress: { subject: label, onEvent, batchSize: config.batchSize, signal: ctx.options.signal },
              guardedSession: 'keep',
            })
          : null;
      sessions.guarded = ve?.guardedScorer ?? null;
      if (ve?.guardedPreview != null) partial.preview = ve.guardedPreview;
      return runGuards({
        config,
        policy,
        pool: ctx.pool,
        baseline: side(baseline.weights, baseline.opened.model.tokenizer!.hash, baseline.rmt, baseline.opened.model),
        subject: side(built.weights, built.tokenizerHash, subjectRmt, built.loaded),
        mode: built.edit === null ? 'monitor' : 'edit',
        ...(ve === null ? {} : { variance: { blocks: ve.blocks, overhead: ve.overhead } }),
      });
    });
    if (!catastrophic) {
      // with VE enabled the final arm scores the guarded weights (the scales are part of the certified model)
      const finalScorer = sessions.guarded ?? activeScorer;
      partial.final = await timer.run('evaluate', label, 'subject: final windows', () => scoreArm(finalScorer, baseline.arms.final, progress('evaluate', 'final')));
    } else if (previewFinite) {
      onEvent({ type: 'warning', id: 'catastrophic_ppl_spike', message: `preview ratio ${previewRatio.toFixed(3)} > ${policy.thresholds.catastrophe_ratio}: final arm skipped` });
    }
    if (!previewFinite) {
      const bad = partial.preview.ids.find((_, i) => !Number.isFinite(partial.preview!.loss[i]!)) ?? '?';
      if (guards.blocks.invariants.status !== 'fail') {
        throw new InvarlockError('E_NONFINITE_LOSS', `window ${bad} has a non-finite subject loss, and no guard explains it`, { details: { window: bad } });
      }
      onEvent({ type: 'warning', id: 'nonfinite_loss', message: `window ${bad} has a non-finite subject loss; the invariants guard failed (see its violations)` });
      delete partial.preview;
    }
    const change: ChangeInput = built.change.kind === 'edit' ? { ...built.change, rolled_back: catastrophic } : built.change;
    return await certificateInput(ctx, {
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
    const finite = (l: WindowLosses | undefined) => (l !== undefined && l.loss.every(Number.isFinite) ? l : null);
    return certificateInput(ctx, {
      outcome: { status: 'error', code: error.code, message: error.message },
      built: partial.built,
      // JSON cannot carry NaN: an arm with a non-finite loss is left out of an error certificate
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


async function buildSubject(ctx: SubjectContext): Promise<BuiltSubject> {
  const { config, baseline, subject, options } = ctx;
  const spec = subject.spec;
  const baseModel = baseline.opened.model;
  if (spec.kind === 'model') {
    const opened = await openModel(spec.model, openOptions(config, options));
    const tokenizerHash = opened.model.tokenizer!.hash;
    assertSameTokenization(baseline, opened);
    const weights = baseline.weights === null ? null : readWeights(opened.model).map(toWeightMatrix);
    return {
      identity: modelInputOf(opened, spec.label, []),
      change: { kind: 'compare', label: spec.label, params_changed: null, modules_touched: null },
      scoringModel: scoringModelOf(opened.model, spec.model, null),
      loaded: opened.model,
      weights,
      tokenizerHash,
      edit: null,
    };
  }
  const plan: EditPlan =
    spec.kind === 'edit'
      ? await resolveEditPlan(spec.name, spec.config, (p) => resolve(options.cwd, p))
      : await resolveEditPlan('lora', { adapters: [{ path: spec.path, weight: spec.weight }] }, (p) => resolve(options.cwd, p));
  const matrices = baseline.weights ?? readWeights(baseModel).map(toWeightMatrix);
  const edit = applyEdit(plan, matrices);
  const replace = weightReplacements(baseModel, edit.changed);
  const weights = matrices.map((m) => {
    const data = edit.changed.get(m.key);
    return data === undefined ? m : { ...m, data };
  });
  const loraAdapters =
    plan.name === 'lora'
      ? plan.config.adapters.map((a) => ({ reference: a.adapter.source, sha256: a.adapter.digest, rank: a.adapter.config.r, alpha: a.adapter.config.loraAlpha, weight: a.weight }))
      : [];
  const label = spec.kind === 'edit' ? `${lastSegment(baseline.opened.reference)} + ${plan.name}` : spec.label;
  const editConfig = JSON.parse(JSON.stringify(edit.config)) as { readonly [key: string]: JsonValue };
  return {
    identity: { ...modelInputOf(baseline.opened, label, loraAdapters), file_sha256: null },
    change:
      spec.kind === 'edit'
        ? { kind: 'edit', name: plan.name, config: editConfig, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched, rolled_back: false }
        : { kind: 'compare', label: spec.label, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched },
    scoringModel: scoringModelOf(baseModel, label, replace),
    loaded: baseModel,
    weights,
    tokenizerHash: baseModel.tokenizer!.hash,
    edit: spec.kind === 'edit' ? edit : null,
  };
}

/** The subject must turn the evaluation text into the same ids: same tokenizer, or ids equal on the data. */
function assertSameTokenization(baseline: BaselineState, subject: OpenedModel): void {
  const base = baseline.opened.model.tokenizer!;
  const other = subject.model.tokenizer!;
  if (base.hash === other.hash) return;
  const sample = baseline.prepared.dataset.kind === 'documents' ? baseline.prepared.dataset.documents.slice(0, 64) : [];
  for (const [i, text] of sample.entries()) {
    const a = base.encode(text);
    const b = other.encode(text);
    if (a.length !== b.length || a.some((id, k) => id !== b[k])) {
      throw new InvarlockError('E_TOKENIZER_MISMATCH', `the subject's tokenizer gives different ids than the baseline's (document ${i})`, {
        details: { file: other.source, expected: base.hash, actual: other.hash, field: `dataset.documents[${i}]` },
        hint: 'Both models must share a tokenizer: paired evaluation compares the same token windows.',
      });
    }
  }
}


interface Measured {
  readonly outcome: CertificateInput['outcome'];
  readonly built: BuiltSubject;
  readonly preview: WindowLosses | null;
  readonly final: WindowLosses | null;
  readonly guards: Awaited<ReturnType<typeof runGuards>> | null;
  readonly provider: 'cpu' | 'cuda';
}

async function certificateInput(ctx: SubjectContext, m: Measured): Promise<CertificateInput> {
  const { config, policy, baseline, seeds } = ctx;
  const plan = baseline.prepared.plan;
  const arm = (base: WindowLosses, subject: WindowLosses | null) =>
    subject === null
      ? { ids: [], weights: [], baseline: [], subject: [] }
      : { ids: [...subject.ids], weights: Array.from(subject.weight), baseline: Array.from(base.loss), subject: Array.from(subject.loss) };
  const pairing = pairingOf(ctx, m);
  const finishedAt = ctx.clock();
  const provenance = await buildProvenance({
    provider: m.provider,
    seeds,
    container: ctx.options.container ?? (config.runtimeImageDigest === null ? null : { image: 'invarlock-runtime', digest: config.runtimeImageDigest }),
  });
  return {
    outcome: m.outcome,
    metricKind: baseline.objective === 'causal' ? 'ppl_causal' : 'ppl_mlm',
    windows: { preview: arm(baseline.losses.preview, m.preview), final: arm(baseline.losses.final, m.final) },
    pairing,
    guards: m.guards?.blocks ?? {
      invariants: notRunBlock('run_error'),
      spectral: notRunBlock('run_error'),
      rmt: notRunBlock('run_error'),
      variance: notRunBlock('run_error'),
    },
    guardOverhead: m.guards?.overhead ?? { evaluated: false, reason: 'variance guard made no change' },
    change: m.built.change,
    models: { baseline: modelInputOf(baseline.opened, lastSegment(baseline.opened.reference), []), subject: m.built.identity },
    dataset: {
      provider: config.dataset.provider,
      split: baseline.prepared.dataset.split,
      seq_len: plan.seqLen,
      stride: plan.stride,
      counts: {
        documents: plan.counts.documents,
        candidates: plan.counts.candidates,
        duplicates_removed: plan.counts.duplicatesRemoved,
        preview: plan.counts.preview,
        final: plan.counts.final,
      },
      preview_hash: plan.hashes.preview,
      final_hash: plan.hashes.final,
      dataset_hash: plan.hashes.dataset,
      tokenizer_hash: plan.hashes.tokenizer,
      seed: config.seed,
    },
    policy,
    provenance,
    config: configRecord(config),
    timing: {
      started_at: ctx.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: Math.max(0, finishedAt.getTime() - ctx.startedAt.getTime()),
      stages: [...ctx.timer.stages],
    },
  };
}

function pairingOf(ctx: SubjectContext, m: Measured): CertificateInput['pairing'] {
  const baseline = ctx.baseline;
  const full = baseline.prepared.plan;
  const shard = ctx.config.shard;
  const plan = shard === null ? full : { ...full, preview: shardWindows(full.preview, shard), final: shardWindows(full.final, shard) };
  const byId = new Map([...plan.preview, ...plan.final].map((w) => [w.id, w]));
  const refs = (losses: WindowLosses | null) =>
    (losses?.ids ?? []).map((id, i) => ({ id, ids: byId.get(id)?.ids ?? new Uint32Array(0), scoredCount: losses!.weight[i]! }));
  const report = (preview: WindowLosses | null, final: WindowLosses | null, finalPlanned: boolean): PairingReport =>
    comparePlanPairing({ preview: plan.preview, final: finalPlanned ? plan.final : [] }, { preview: refs(preview), final: refs(final) });
  const finalScored = m.final !== null;
  const base = report(baseline.losses.preview, finalScored ? baseline.losses.final : null, finalScored);
  const subject = report(m.preview, m.final, finalScored);
  const problems = [...base.problems, ...subject.problems];
  return {
    match: m.preview === null ? null : Math.min(base.match, subject.match),
    overlap: m.preview === null ? null : Math.max(base.overlap, subject.overlap),
    duplicates: plan.counts.duplicatesRemoved,
    counts: {
      baseline: { preview: baseline.losses.preview.ids.length, final: finalScored ? baseline.losses.final.ids.length : 0 },
      subject: { preview: m.preview?.ids.length ?? 0, final: m.final?.ids.length ?? 0 },
    },
    reason: problems.length === 0 ? null : `${problems[0]!.code}: ${problems[0]!.message}`,
  };
}


