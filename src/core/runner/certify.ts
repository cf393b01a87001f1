import { resolve } from 'node:path';
import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import { planExecutionProviders, probeCudaProviderLibraries, type ExecutionProviderName, type Scorer } from '../../eval/index.js';
import {
  createKernelPool,
  decodeBaselineGuards,
  encodeBaselineGuards,
  measureWeightStream,
  modelWeightStream,
  type BaselineGuardKey,
  type BaselineGuardMeasurements,
  type WeightMeasurements,
} from '../../guards/index.js';
import { resolveModel } from '../../hub/index.js';
import { buildCertificate, type Certificate } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import { assertPlanFits } from '../resources/index.js';
import { activationTapsOf, type ActivationTap } from './activation-taps.js';
import { lossesOf, makeBaselineEvaluation, readBaselineEvaluation, reuseMismatch, type BaselineEvalKey, type BaselineEvaluation } from './baseline-evaluation.js';
import { certifySubject, openOptionsOf, openScorer, progressOf } from './certify-subject.js';
import { measureActivations } from './evaluate-arms.js';
import { lossesOfScores, scoresOfLosses, type ArmScores } from './objective.js';
import { openModel, type OpenedModel } from './open-model.js';
import { buildProvenance, seedsOf } from './provenance.js';
import type { BaselineRun, CertifyOptions, RunContext } from './run-context.js';
import { guardsReadWeights, weightStatsOptionsOf } from './run-guards.js';
import { resolveRunPolicy } from './run-policy.js';
import { scoringModelOf, type SubjectSpec } from './run-records.js';
import { objectiveFor } from './select-objective.js';
import { describeMemoryPlan, planRunMemory } from './run-memory.js';
import { makeShardPartial, type ShardPartial } from './shard-partial.js';
import { StageTimer } from './stage-timer.js';

export type { CertifyOptions } from './run-context.js';

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

/**
 * Runs the certify pipeline (ARCHITECTURE.md): prepare → preview → apply → guards → evaluate →
 * report, for every subject of the configuration, the baseline evaluated once. The baseline's
 * adapter picks the objective (perplexity, pseudo-perplexity, accuracy: objective.ts), and the
 * policy is resolved once for it. Returns one certificate per subject; a subject whose run fails
 * after preparation gets a certificate with verdict `error`. Failures before any subject can be
 * certified (unreadable baseline, bad data, coverage below enforced floors) throw an `InvarlockError`.
 */
export async function certify(config: RunConfig, options: CertifyOptions): Promise<CertifyRun> {
  const onEvent: RunEventListener = options.onEvent ?? (() => {});
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const timer = new StageTimer(onEvent, now);
  const opened = await timer.run('prepare', null, `baseline ${config.baseline}`, async () => {
    // a missing subject fails now, not after the baseline has been evaluated
    for (const s of config.mode.kind === 'compare' ? config.mode.subjects : []) {
      if (s.kind === 'model') await resolveModel(s.model, resolveOptions(config, options));
    }
    return openModel(config.baseline, openOptionsOf({ config, options }));
  });
  const objective = objectiveFor(opened.model, config.metric);
  const policy = resolveRunPolicy(config, onEvent, objective.floors);
  const seeds = seedsOf(config.seed, policy);
  // before any session exists: a run that cannot fit stops here, with what it needs
  const memory = planRunMemory(config, opened.model);
  assertPlanFits(memory, config.baseline);
  onEvent({ type: 'info', message: describeMemoryPlan(memory) });
  const pool = await createKernelPool({ mode: 'auto', size: memory.workers });
  try {
    const evaluation = await timer.run('prepare', null, objective.unit, () =>
      objective.prepare({
        config,
        policy,
        seeds,
        baseline: opened.model,
        cwd: options.cwd,
        onEvent,
        ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
        ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
      }),
    );
    const ctx: RunContext = { config, policy, seeds, objective, evaluation, options, onEvent, timer, pool, memory, startedAt, clock };
    const scored = await timer.run('preview', null, `baseline: preview and final ${objective.unit}`, () => evaluateBaseline(ctx, opened));
    const evaluated = await measureBaselineWeights(ctx, opened, scored);
    const subjects: { label: string; spec: SubjectSpec }[] =
      config.mode.kind === 'edit'
        ? [{ label: config.mode.edit.name, spec: { kind: 'edit' as const, name: config.mode.edit.name, config: config.mode.edit.config } }]
        : config.mode.subjects.map((s) => ({ label: s.label, spec: s }));
    const results: SubjectCertificate[] = [];
    const partials: ShardPartial[] = [];
    for (const subject of subjects) {
      const input = await certifySubject(ctx, evaluated.baseline, subject);
      if (config.shard === null || evaluation.windowPlan === null) {
        results.push({ label: subject.label, certificate: await timer.run('report', subject.label, 'certificate', async () => buildCertificate(input)) });
      } else {
        partials.push(makeShardPartial(subject.label, config.shard, evaluation.windowPlan, input));
      }
    }
    return { subjects: results, partials, baselineEvaluation: evaluated.saved, policy };
  } finally {
    await pool.close();
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

/** The baseline scored (or its scores reused) with its activations measured, before its weights are. */
interface ScoredBaseline {
  readonly scores: BaselineRun['scores'];
  readonly rmt: BaselineRun['rmt'];
  /** The reuse key; null for objectives whose evaluations are not saved. */
  readonly key: BaselineEvalKey | null;
  /** What the baseline's guard measurements are made with in this run. */
  readonly guardKey: BaselineGuardKey;
  /** The saved evaluation's guard measurements, when one was reused and holds them. */
  readonly savedGuards: BaselineGuardMeasurements | null;
}

/**
 * Scores the baseline on both arms and measures its activations on the calibration units, or takes
 * them from a saved evaluation with an equal key. A session is opened only for what is not saved
 * (none when the saved record holds scores and activations and the provider is known without one),
 * and released before any subject loads.
 */
async function evaluateBaseline(ctx: RunContext, opened: OpenedModel): Promise<ScoredBaseline> {
  const { config, policy, evaluation } = ctx;
  const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(opened.model);
  const guardKey = baselineGuardKeyOf(ctx, taps);
  let scorer: Scorer | null = null;
  const session = async (): Promise<Scorer> => (scorer ??= await openScorer(ctx, scoringModelOf(opened.model, opened.reference, null), taps));
  try {
    const key = evaluation.reuseKey === null ? null : await reuseKeyOf(ctx, opened, plannedProvider(ctx) ?? (await session()).provider);
    const saved = await savedEvaluation(ctx, key);
    let scores: BaselineRun['scores'];
    const scoring = evaluation.bind(opened.model);
    if (saved === null) {
      const active = await session();
      scores = { preview: await scoring.score(active, 'preview', progressOf(ctx, 'preview', null, 'preview')), final: await scoring.score(active, 'final', progressOf(ctx, 'preview', null, 'final')) };
    } else {
      // a shard job keeps its own share of the saved final arm
      const planned = evaluation.planned;
      scores = { preview: plannedScores(scoresOfLosses(lossesOf(saved.preview)), planned.preview), final: plannedScores(scoresOfLosses(lossesOf(saved.final)), planned.final) };
    }
    const savedGuards = saved?.guards === undefined ? null : decodeBaselineGuards(saved.guards, resolve(ctx.options.cwd, config.baselineEval ?? ''));
    const savedRmt = savedGuards !== null && savedGuards.rmt !== null && canonicalJson(savedGuards.key.rmt) === canonicalJson(guardKey.rmt) ? savedGuards.rmt : null;
    const rmt =
      taps.length === 0
        ? null
        : (savedRmt ??
          (await measureActivations(await session(), scoring.calibration ?? evaluation.calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progressOf(ctx, 'preview', null, 'calibration') })));
    return { scores, rmt, key, guardKey, savedGuards };
  } finally {
    // every baseline number is in hand (scores, activations): free its session before the subjects load
    await (scorer as Scorer | null)?.release();
  }
}

/**
 * The baseline's weight measurements for the guards: reused from the saved evaluation when made
 * with the same options, else streamed from the model file one matrix at a time (no decoded copy of
 * the model is held); then the evaluation to save, holding them.
 */
async function measureBaselineWeights(ctx: RunContext, opened: OpenedModel, scored: ScoredBaseline): Promise<{ baseline: BaselineRun; saved: BaselineEvaluation | null }> {
  const { config, policy } = ctx;
  const stats = weightStatsOptionsOf(config, policy);
  const reusable = scored.savedGuards?.weights !== null && scored.savedGuards !== null && canonicalJson(scored.savedGuards.key.weightStats) === canonicalJson(stats) ? scored.savedGuards.weights : null;
  let weights: WeightMeasurements | null = null;
  if (guardsReadWeights(config)) {
    weights =
      reusable ??
      (await ctx.timer.run('guards', null, 'baseline weight statistics', () =>
        measureWeightStream(modelWeightStream(opened.model), { pool: ctx.pool, stats: stats ?? { powerIters: 0, mpTopK: 0, mpIters: 0 }, withStats: stats !== null }),
      ));
  }
  const guards = encodeBaselineGuards({ key: { ...scored.guardKey, weightStats: weights === null ? null : stats }, weights, rmt: scored.rmt });
  const saved = scored.key === null ? null : makeBaselineEvaluation(scored.key, lossesOfScores(scored.scores.preview), lossesOfScores(scored.scores.final), guards);
  return { baseline: { opened, scores: scored.scores, weights, rmt: scored.rmt }, saved };
}

/** What this run's baseline guard measurements depend on beyond the model file (in the evaluation's key). */
function baselineGuardKeyOf(ctx: RunContext, taps: readonly ActivationTap[]): BaselineGuardKey {
  const rmt =
    taps.length === 0
      ? null
      : {
          iters: ctx.policy.guards.rmt.power_iterations,
          taps: taps.map((t) => `${t.graph}:${t.key}:${t.value}`),
          calibrationSha256: sha256Hex(canonicalJson(ctx.evaluation.calibration.map((unit) => ({ id: unit.id, ids: Array.from(unit.ids) })))),
        };
  return { weightStats: weightStatsOptionsOf(ctx.config, ctx.policy), rmt };
}

/** The provider a session would run on when that is certain without opening one (a single candidate); else null. */
function plannedProvider(ctx: RunContext): ExecutionProviderName | null {
  const plan = planExecutionProviders(ctx.config.device, ctx.config.device === 'cpu' ? false : probeCudaProviderLibraries().present);
  return plan.length === 1 ? plan[0]! : null;
}

/** The key a saved baseline evaluation must match: the data's fields, the model file and the runtime. */
async function reuseKeyOf(ctx: RunContext, opened: OpenedModel, provider: ExecutionProviderName): Promise<BaselineEvalKey | null> {
  const data = ctx.evaluation.reuseKey;
  if (data === null) return null;
  const identity = await buildProvenance({ provider, seeds: ctx.seeds, container: null });
  return {
    baselineSha256: opened.fileSha256,
    ...data,
    onnxruntime: identity.onnxruntime_version ?? 'unknown',
    provider,
    platform: `${identity.platform.os}-${identity.platform.arch}`,
  };
}

/** The saved baseline evaluation when `baseline_eval` names a reusable one; null to evaluate afresh. */
async function savedEvaluation(ctx: RunContext, key: BaselineEvalKey | null): Promise<BaselineEvaluation | null> {
  const path = ctx.config.baselineEval;
  if (path === null) return null;
  if (key === null) {
    ctx.onEvent({ type: 'warning', id: 'baseline_eval_recomputed', message: `baseline evaluation not reused: saved evaluations hold perplexity losses; ${ctx.objective.metricKind} runs score again` });
    return null;
  }
  const saved = await readBaselineEvaluation(resolve(ctx.options.cwd, path));
  const mismatch = saved === undefined ? 'no saved evaluation at that path' : reuseMismatch(saved, key);
  if (saved === undefined || mismatch !== null) {
    ctx.onEvent({ type: 'warning', id: 'baseline_eval_recomputed', message: `baseline evaluation not reused: ${mismatch}` });
    return null;
  }
  ctx.onEvent({ type: 'info', message: `reusing the baseline evaluation ${path}` });
  return saved;
}

/** A saved arm cut to the units this job scores (a shard job's share of the final arm), in their order. */
function plannedScores(scores: ArmScores, planned: readonly { readonly id: string }[]): ArmScores {
  if (planned.length === scores.ids.length) return scores;
  const at = new Map(scores.ids.map((id, i) => [id, i]));
  // a unit missing from the saved record stays missing: the pairing check reports it
  const rows = planned.flatMap((w) => (at.has(w.id) ? [at.get(w.id)!] : []));
  return { ids: rows.map((i) => scores.ids[i]!), values: Float64Array.from(rows, (i) => scores.values[i]!), weights: Float64Array.from(rows, (i) => scores.weights[i]!) };
}
