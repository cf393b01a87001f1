import { resolve } from 'node:path';
import { readWeights } from '../../adapters/index.js';
import type { ExecutionProviderName } from '../../eval/index.js';
import { createKernelPool } from '../../guards/index.js';
import { resolveModel } from '../../hub/index.js';
import { buildCertificate, type Certificate } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import { assertPlanFits } from '../resources/index.js';
import { activationTapsOf } from './activation-taps.js';
import { lossesOf, makeBaselineEvaluation, readBaselineEvaluation, reuseMismatch, type BaselineEvalKey, type BaselineEvaluation } from './baseline-evaluation.js';
import { certifySubject, openOptionsOf, openScorer, progressOf } from './certify-subject.js';
import { measureActivations } from './evaluate-arms.js';
import { lossesOfScores, scoresOfLosses, type ArmScores } from './objective.js';
import { openModel, type OpenedModel } from './open-model.js';
import { buildProvenance, seedsOf } from './provenance.js';
import type { BaselineRun, CertifyOptions, RunContext } from './run-context.js';
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
  const objective = objectiveFor(opened.model);
  const policy = resolveRunPolicy(config, onEvent, objective.floors);
  const seeds = seedsOf(config.seed, policy);
  // before any session exists: a run that cannot fit stops here, with what it needs
  const memory = planRunMemory(config, opened.model);
  assertPlanFits(memory, config.baseline);
  onEvent({ type: 'info', message: describeMemoryPlan(memory) });
  const pool = await createKernelPool({ mode: 'auto', size: memory.workers });
  try {
    const { evaluation, weights } = await timer.run('prepare', null, objective.unit, async () => ({
      evaluation: await objective.prepare({
        config,
        policy,
        seeds,
        baseline: opened.model,
        cwd: options.cwd,
        onEvent,
        ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
        ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
      }),
      // the guards compare weights; compare mode with no weight guard never reads them
      weights: config.guards.spectral === 'off' && config.guards.invariants === 'off' && config.mode.kind === 'compare' ? null : readWeights(opened.model),
    }));
    const ctx: RunContext = { config, policy, seeds, objective, evaluation, options, onEvent, timer, pool, memory, startedAt, clock };
    const evaluated = await timer.run('preview', null, `baseline: preview and final ${objective.unit}`, () => evaluateBaseline(ctx, opened, weights));
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

/**
 * Scores the baseline on both arms (or reuses a saved evaluation with an equal key) and measures its
 * activations on the calibration units; its session is released before any subject loads.
 */
async function evaluateBaseline(ctx: RunContext, opened: OpenedModel, weights: BaselineRun['weights']): Promise<{ baseline: BaselineRun; saved: BaselineEvaluation | null }> {
  const { config, policy, evaluation } = ctx;
  const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(opened.model);
  const scorer = await openScorer(ctx, scoringModelOf(opened.model, opened.reference, null), taps);
  try {
    const key = evaluation.reuseKey === null ? null : await reuseKeyOf(ctx, opened, scorer.provider);
    let scores = await savedScores(ctx, key);
    if (scores === null) {
      const scoring = evaluation.bind(opened.model);
      scores = { preview: await scoring.score(scorer, 'preview', progressOf(ctx, 'preview', null, 'preview')), final: await scoring.score(scorer, 'final', progressOf(ctx, 'preview', null, 'final')) };
    }
    const rmt =
      taps.length === 0
        ? null
        : await measureActivations(scorer, evaluation.calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progressOf(ctx, 'preview', null, 'calibration') });
    const saved = key === null ? null : makeBaselineEvaluation(key, lossesOfScores(scores.preview), lossesOfScores(scores.final));
    return { baseline: { opened, scores, weights, rmt }, saved };
  } finally {
    // every baseline number is in hand (scores, activations): free its session before the subjects load
    await scorer.release();
  }
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

/** The saved baseline scores when `baseline_eval` names a reusable evaluation; null to score afresh. */
async function savedScores(ctx: RunContext, key: BaselineEvalKey | null): Promise<{ preview: ArmScores; final: ArmScores } | null> {
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
  return { preview: scoresOfLosses(lossesOf(saved.preview)), final: scoresOfLosses(lossesOf(saved.final)) };
}
