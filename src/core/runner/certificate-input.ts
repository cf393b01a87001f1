import { comparePlanPairing, type ExecutionProviderName, type PairingReport } from '../../eval/index.js';
import type { CertificateInput } from '../../report/index.js';
import type { BuiltSubject } from './build-subject.js';
import { notRunBlock } from './guard-blocks.js';
import type { ArmScores } from './objective.js';
import { buildProvenance } from './provenance.js';
import type { GuardOutcomes } from './run-guards.js';
import type { BaselineRun, RunContext } from './run-context.js';
import { configRecord, lastSegment, modelInputOf } from './run-records.js';
import { prefixScores } from './objective.js';
import { sequentialPlanOf } from './sequential-final.js';

/** What a subject's run measured; an arm is null when it was not scored (or not finite, on error). */
export interface Measured {
  readonly outcome: CertificateInput['outcome'];
  readonly built: BuiltSubject;
  readonly preview: ArmScores | null;
  readonly final: ArmScores | null;
  readonly guards: GuardOutcomes | null;
  readonly provider: ExecutionProviderName;
}

/** The certificate input of one subject: paired arms, pairing, guards, identities, dataset, policy, provenance, timing. */
export async function certificateInput(ctx: RunContext, fullBaseline: BaselineRun, m: Measured): Promise<CertificateInput> {
  const { config, policy, seeds, evaluation } = ctx;
  const sequentialPlan = sequentialPlanOf(ctx, fullBaseline);
  // a subject that stopped at an interim look pairs with the baseline's windows up to that look
  const baseline = stoppedEarly(fullBaseline, m, sequentialPlan);
  const arm = (base: ArmScores, subject: ArmScores | null) =>
    subject === null
      ? { ids: [], weights: [], baseline: [], subject: [] }
      : {
          ids: [...subject.ids],
          weights: Array.from(subject.weights),
          baseline: Array.from(base.values),
          subject: Array.from(subject.values),
          // NLL per byte: each model's token count per span (the scale of the ratio; verify re-derives it)
          ...(base.tokens === undefined || subject.tokens === undefined ? {} : { tokens: { baseline: Array.from(base.tokens), subject: Array.from(subject.tokens) } }),
        };
  const finishedAt = ctx.clock();
  const provenance = await buildProvenance({
    provider: m.provider,
    seeds,
    container: ctx.options.container ?? (config.runtimeImageDigest === null ? null : { image: 'invarlock-runtime', digest: config.runtimeImageDigest }),
  });
  return {
    outcome: m.outcome,
    metricKind: ctx.objective.metricKind,
    windows: { preview: arm(baseline.scores.preview, m.preview), final: arm(baseline.scores.final, m.final) },
    pairing: pairingOf(ctx, baseline, m, baseline !== fullBaseline),
    guards: m.guards?.blocks ?? {
      invariants: notRunBlock('run_error'),
      spectral: notRunBlock('run_error'),
      rmt: notRunBlock('run_error'),
      variance: notRunBlock('run_error'),
    },
    guardOverhead: m.guards?.overhead ?? { evaluated: false, reason: evaluation.variance.kind === 'applies' ? 'variance guard made no change' : evaluation.variance.reason },
    change: m.built.change,
    models: { baseline: modelInputOf(baseline.opened, lastSegment(baseline.opened.reference), []), subject: m.built.identity },
    dataset: { provider: config.dataset.provider, ...evaluation.dataset, seed: config.seed },
    policy,
    provenance,
    config: configRecord(config),
    ...(sequentialPlan === null ? {} : { sequentialPlan }),
    timing: {
      started_at: ctx.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: Math.max(0, finishedAt.getTime() - ctx.startedAt.getTime()),
      stages: [...ctx.timer.stages],
      resources: {
        budget_bytes: ctx.memory.budget.bytes,
        budget_source: ctx.memory.budget.source,
        estimate_bytes: Math.round(ctx.memory.estimateBytes),
        batch_size: ctx.memory.batchSize,
        workers: ctx.memory.workers,
        chunk_bytes: ctx.memory.chunkBytes,
        prepack: ctx.memory.prepack,
      },
    },
  };
}

/** Both models were scored on exactly the planned units, on the planned ids and scored positions. */
function pairingOf(ctx: RunContext, baseline: BaselineRun, m: Measured, stopped: boolean): CertificateInput['pairing'] {
  const all = ctx.evaluation.planned;
  // a sequential stop planned the windows up to its look
  const planned = stopped ? { preview: all.preview, final: all.final.slice(0, baseline.scores.final.ids.length) } : all;
  const byId = new Map([...planned.preview, ...planned.final].map((w) => [w.id, w]));
  const refs = (scores: ArmScores | null) => (scores?.ids ?? []).map((id, i) => ({ id, ids: byId.get(id)?.ids ?? new Uint32Array(0), scoredCount: scores!.weights[i]! }));
  const finalScored = m.final !== null;
  const report = (preview: ArmScores | null, final: ArmScores | null): PairingReport =>
    comparePlanPairing({ preview: planned.preview, final: finalScored ? planned.final : [] }, { preview: refs(preview), final: refs(final) });
  const base = report(baseline.scores.preview, finalScored ? baseline.scores.final : null);
  const subject = report(m.preview, m.final);
  const problems = [...base.problems, ...subject.problems];
  return {
    match: m.preview === null ? null : Math.min(base.match, subject.match),
    overlap: m.preview === null ? null : Math.max(base.overlap, subject.overlap),
    // Units scored or planned twice; deduplication before the draw is recorded under dataset.counts, not here (#13).
    duplicates: problems.filter((p) => p.code === 'E_PAIRING_DUPLICATE').length,
    counts: {
      baseline: { preview: baseline.scores.preview.ids.length, final: finalScored ? baseline.scores.final.ids.length : 0 },
      subject: { preview: m.preview?.ids.length ?? 0, final: m.final?.ids.length ?? 0 },
    },
    reason: problems.length === 0 ? null : `${problems[0]!.code}: ${problems[0]!.message}`,
  };
}

/** The baseline's final arm cut to a subject's sequential stop (its scored windows are a prefix of the plan). */
function stoppedEarly(baseline: BaselineRun, m: Measured, plan: { readonly windows: number } | null): BaselineRun {
  const n = m.final?.ids.length;
  if (plan === null || n === undefined || n >= baseline.scores.final.ids.length) return baseline;
  return { ...baseline, scores: { ...baseline.scores, final: prefixScores(baseline.scores.final, n) } };
}
